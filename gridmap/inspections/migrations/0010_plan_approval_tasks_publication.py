
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0004_geometry_constraints'),
        ('grids', '0005_geometry_constraints'),
        ('inspections', '0009_law_measures_leads_reviews'),
        ('pghistory', '0007_auto_20250421_0444'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CreditListing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='说明')),
                ('district_code', models.CharField(db_index=True, max_length=12, verbose_name='区划代码')),
                ('kind', models.CharField(choices=[('credit_publicity', '报送市场主体信用信息公示系统'), ('blacklist', '联合惩戒黑名单')], db_index=True, max_length=20, verbose_name='名单')),
                ('entered_on', models.DateField(db_index=True, verbose_name='列入日期')),
                ('reason', models.CharField(max_length=300, verbose_name='列入事由')),
                ('exited_on', models.DateField(blank=True, null=True, verbose_name='移出日期')),
                ('exit_reason', models.CharField(blank=True, max_length=300, verbose_name='移出事由')),
            ],
            options={
                'verbose_name': '信用名单',
                'verbose_name_plural': '信用名单',
                'ordering': ['-entered_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='CreditListingEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='说明')),
                ('district_code', models.CharField(max_length=12, verbose_name='区划代码')),
                ('kind', models.CharField(choices=[('credit_publicity', '报送市场主体信用信息公示系统'), ('blacklist', '联合惩戒黑名单')], max_length=20, verbose_name='名单')),
                ('entered_on', models.DateField(verbose_name='列入日期')),
                ('reason', models.CharField(max_length=300, verbose_name='列入事由')),
                ('exited_on', models.DateField(blank=True, null=True, verbose_name='移出日期')),
                ('exit_reason', models.CharField(blank=True, max_length=300, verbose_name='移出事由')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='Publication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('penalty_decision', '行政处罚决定'), ('random_check', '双随机抽查结果')], db_index=True, max_length=20, verbose_name='公示类别')),
                ('decided_on', models.DateField(verbose_name='决定（检查）日期')),
                ('published_on', models.DateField(db_index=True, verbose_name='公示日期')),
                ('findings', models.TextField(max_length=2000, verbose_name='违法事实或检查发现')),
                ('legal_basis', models.CharField(max_length=500, verbose_name='法律依据')),
                ('decision', models.CharField(max_length=500, verbose_name='处理决定')),
                ('district_code', models.CharField(db_index=True, max_length=12, verbose_name='区划代码')),
            ],
            options={
                'verbose_name': '执法公示',
                'verbose_name_plural': '执法公示',
                'ordering': ['-published_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PublicationEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('kind', models.CharField(choices=[('penalty_decision', '行政处罚决定'), ('random_check', '双随机抽查结果')], max_length=20, verbose_name='公示类别')),
                ('decided_on', models.DateField(verbose_name='决定（检查）日期')),
                ('published_on', models.DateField(verbose_name='公示日期')),
                ('findings', models.TextField(max_length=2000, verbose_name='违法事实或检查发现')),
                ('legal_basis', models.CharField(max_length=500, verbose_name='法律依据')),
                ('decision', models.CharField(max_length=500, verbose_name='处理决定')),
                ('district_code', models.CharField(max_length=12, verbose_name='区划代码')),
            ],
            options={
                'abstract': False,
            },
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='annualplan',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='annualplan',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='annualplan',
            name='delete_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='inspectiontask',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='inspectiontask',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='inspectiontask',
            name='delete_delete',
        ),
        migrations.AddField(
            model_name='annualplan',
            name='approved_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='批准时间'),
        ),
        migrations.AddField(
            model_name='annualplan',
            name='approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='批准人'),
        ),
        migrations.AddField(
            model_name='annualplan',
            name='status',
            field=models.CharField(choices=[('draft', '草稿'), ('approved', '已批准')], default='draft', max_length=10, verbose_name='状态'),
        ),
        migrations.AddField(
            model_name='annualplanevent',
            name='approved_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='批准时间'),
        ),
        migrations.AddField(
            model_name='annualplanevent',
            name='approved_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='批准人'),
        ),
        migrations.AddField(
            model_name='annualplanevent',
            name='status',
            field=models.CharField(choices=[('draft', '草稿'), ('approved', '已批准')], default='draft', max_length=10, verbose_name='状态'),
        ),
        migrations.AddField(
            model_name='inspectiontask',
            name='co_assignee',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='co_inspection_tasks', to=settings.AUTH_USER_MODEL, verbose_name='协办人'),
        ),
        migrations.AddField(
            model_name='inspectiontask',
            name='plan_visit',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='task', to='inspections.planvisit', verbose_name='计划检查'),
        ),
        migrations.AddField(
            model_name='inspectiontaskevent',
            name='co_assignee',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='协办人'),
        ),
        migrations.AddField(
            model_name='inspectiontaskevent',
            name='plan_visit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='inspections.planvisit', verbose_name='计划检查'),
        ),
        migrations.AddField(
            model_name='planvisit',
            name='window_end',
            field=models.DateField(db_index=True, null=True, verbose_name='检查窗口止'),
        ),
        migrations.AddField(
            model_name='planvisit',
            name='window_start',
            field=models.DateField(null=True, verbose_name='检查窗口起'),
        ),
        # Windows of the visits drawn before they were stored: visit i of n falls in months
        # [12(i-1)/n, 12i/n) of the plan's year (gridmap.inspections.planning.windows).
        migrations.RunSQL(
            """UPDATE inspections_planvisit AS v SET
                   window_start = make_date(p.year, 1 + (12 * (v.number - 1)) / e.visits, 1),
                   window_end = (make_date(p.year, GREATEST(1 + (12 * (v.number - 1)) / e.visits,
                                                            (12 * v.number) / e.visits), 1)
                                 + interval '1 month' - interval '1 day')::date
               FROM inspections_planentry AS e JOIN inspections_annualplan AS p ON p.id = e.plan_id
               WHERE e.id = v.entry_id""", migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='planvisit',
            name='window_end',
            field=models.DateField(db_index=True, verbose_name='检查窗口止'),
        ),
        migrations.AlterField(
            model_name='planvisit',
            name='window_start',
            field=models.DateField(verbose_name='检查窗口起'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='annualplan',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "inspections_annualplanevent" ("approved_at", "approved_by_id", "district_code", "draw_digest", "drawn_at", "drawn_by_id", "general_visits_target", "id", "inspectors_per_visit", "key_visits_target", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "seed", "status", "visits_by_risk", "year") VALUES (NEW."approved_at", NEW."approved_by_id", NEW."district_code", NEW."draw_digest", NEW."drawn_at", NEW."drawn_by_id", NEW."general_visits_target", NEW."id", NEW."inspectors_per_visit", NEW."key_visits_target", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."seed", NEW."status", NEW."visits_by_risk", NEW."year"); RETURN NULL;', hash='6f8c8a1bc9e08e9bf77c8d7544b3a3ad59ff4906', operation='INSERT', pgid='pgtrigger_insert_insert_36b88', table='inspections_annualplan', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='annualplan',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "inspections_annualplanevent" ("approved_at", "approved_by_id", "district_code", "draw_digest", "drawn_at", "drawn_by_id", "general_visits_target", "id", "inspectors_per_visit", "key_visits_target", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "seed", "status", "visits_by_risk", "year") VALUES (NEW."approved_at", NEW."approved_by_id", NEW."district_code", NEW."draw_digest", NEW."drawn_at", NEW."drawn_by_id", NEW."general_visits_target", NEW."id", NEW."inspectors_per_visit", NEW."key_visits_target", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."seed", NEW."status", NEW."visits_by_risk", NEW."year"); RETURN NULL;', hash='9f80a5770ba62b17ebbbed3802c77d0c9078e2df', operation='UPDATE', pgid='pgtrigger_update_update_c036e', table='inspections_annualplan', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='annualplan',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "inspections_annualplanevent" ("approved_at", "approved_by_id", "district_code", "draw_digest", "drawn_at", "drawn_by_id", "general_visits_target", "id", "inspectors_per_visit", "key_visits_target", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "seed", "status", "visits_by_risk", "year") VALUES (OLD."approved_at", OLD."approved_by_id", OLD."district_code", OLD."draw_digest", OLD."drawn_at", OLD."drawn_by_id", OLD."general_visits_target", OLD."id", OLD."inspectors_per_visit", OLD."key_visits_target", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."seed", OLD."status", OLD."visits_by_risk", OLD."year"); RETURN NULL;', hash='f01ce3be1e19e412a6bb36d9858310a9d7edf7cc', operation='DELETE', pgid='pgtrigger_delete_delete_af791', table='inspections_annualplan', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='inspectiontask',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "inspections_inspectiontaskevent" ("assigned_by_id", "assignee_id", "cannot_reason", "cell_id", "co_assignee_id", "created_at", "district_code", "due_date", "enterprise_id", "finished_at", "id", "note", "period", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "plan_id", "plan_visit_id", "reason", "status", "updated_at") VALUES (NEW."assigned_by_id", NEW."assignee_id", NEW."cannot_reason", NEW."cell_id", NEW."co_assignee_id", NEW."created_at", NEW."district_code", NEW."due_date", NEW."enterprise_id", NEW."finished_at", NEW."id", NEW."note", NEW."period", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."plan_id", NEW."plan_visit_id", NEW."reason", NEW."status", NEW."updated_at"); RETURN NULL;', hash='11105f0d2790ed827af871605fbeda0eafd185f1', operation='INSERT', pgid='pgtrigger_insert_insert_8b81d', table='inspections_inspectiontask', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='inspectiontask',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "inspections_inspectiontaskevent" ("assigned_by_id", "assignee_id", "cannot_reason", "cell_id", "co_assignee_id", "created_at", "district_code", "due_date", "enterprise_id", "finished_at", "id", "note", "period", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "plan_id", "plan_visit_id", "reason", "status", "updated_at") VALUES (NEW."assigned_by_id", NEW."assignee_id", NEW."cannot_reason", NEW."cell_id", NEW."co_assignee_id", NEW."created_at", NEW."district_code", NEW."due_date", NEW."enterprise_id", NEW."finished_at", NEW."id", NEW."note", NEW."period", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."plan_id", NEW."plan_visit_id", NEW."reason", NEW."status", NEW."updated_at"); RETURN NULL;', hash='42360f743a63f9ac4b92f5cb7d93a7e5338bba30', operation='UPDATE', pgid='pgtrigger_update_update_c2375', table='inspections_inspectiontask', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='inspectiontask',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "inspections_inspectiontaskevent" ("assigned_by_id", "assignee_id", "cannot_reason", "cell_id", "co_assignee_id", "created_at", "district_code", "due_date", "enterprise_id", "finished_at", "id", "note", "period", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "plan_id", "plan_visit_id", "reason", "status", "updated_at") VALUES (OLD."assigned_by_id", OLD."assignee_id", OLD."cannot_reason", OLD."cell_id", OLD."co_assignee_id", OLD."created_at", OLD."district_code", OLD."due_date", OLD."enterprise_id", OLD."finished_at", OLD."id", OLD."note", OLD."period", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."plan_id", OLD."plan_visit_id", OLD."reason", OLD."status", OLD."updated_at"); RETURN NULL;', hash='b3a205e58d0016e20daa928b1c08746285fcf16c', operation='DELETE', pgid='pgtrigger_delete_delete_72e95', table='inspections_inspectiontask', when='AFTER')),
        ),
        migrations.AddConstraint(
            model_name='planvisit',
            constraint=models.CheckConstraint(condition=models.Q(('planned_on__lte', models.F('window_end')), ('window_start__lte', models.F('planned_on'))), name='plan_visit_in_window'),
        ),
        migrations.AddField(
            model_name='creditlisting',
            name='cell',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grids.grid', verbose_name='二级网格'),
        ),
        migrations.AddField(
            model_name='creditlisting',
            name='enterprise',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credit_listings', to='enterprises.enterprise', verbose_name='企业'),
        ),
        migrations.AddField(
            model_name='creditlisting',
            name='recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人'),
        ),
        migrations.AddField(
            model_name='creditlistingevent',
            name='cell',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='grids.grid', verbose_name='二级网格'),
        ),
        migrations.AddField(
            model_name='creditlistingevent',
            name='enterprise',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='enterprises.enterprise', verbose_name='企业'),
        ),
        migrations.AddField(
            model_name='creditlistingevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='creditlistingevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='inspections.creditlisting'),
        ),
        migrations.AddField(
            model_name='creditlistingevent',
            name='recorded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人'),
        ),
        migrations.AddField(
            model_name='publication',
            name='cell',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='grids.grid', verbose_name='二级网格'),
        ),
        migrations.AddField(
            model_name='publication',
            name='document',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='publication', to='inspections.enforcementdocument', verbose_name='行政处罚决定书'),
        ),
        migrations.AddField(
            model_name='publication',
            name='enterprise',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='publications', to='enterprises.enterprise', verbose_name='企业'),
        ),
        migrations.AddField(
            model_name='publication',
            name='plan_visit',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='publication', to='inspections.planvisit', verbose_name='计划检查'),
        ),
        migrations.AddField(
            model_name='publication',
            name='recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人'),
        ),
        migrations.AddField(
            model_name='publicationevent',
            name='cell',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='grids.grid', verbose_name='二级网格'),
        ),
        migrations.AddField(
            model_name='publicationevent',
            name='document',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='inspections.enforcementdocument', verbose_name='行政处罚决定书'),
        ),
        migrations.AddField(
            model_name='publicationevent',
            name='enterprise',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='enterprises.enterprise', verbose_name='企业'),
        ),
        migrations.AddField(
            model_name='publicationevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='publicationevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='inspections.publication'),
        ),
        migrations.AddField(
            model_name='publicationevent',
            name='plan_visit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='inspections.planvisit', verbose_name='计划检查'),
        ),
        migrations.AddField(
            model_name='publicationevent',
            name='recorded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人'),
        ),
        migrations.AddConstraint(
            model_name='creditlisting',
            constraint=models.UniqueConstraint(fields=('kind', 'enterprise', 'entered_on'), name='credit_listing_once'),
        ),
        migrations.AddConstraint(
            model_name='creditlisting',
            constraint=models.CheckConstraint(condition=models.Q(('exited_on__isnull', True), ('exited_on__gte', models.F('entered_on')), _connector='OR'), name='credit_listing_exit_after_entry'),
        ),
        migrations.AddConstraint(
            model_name='creditlisting',
            constraint=models.CheckConstraint(condition=models.Q(('exited_on__isnull', True), models.Q(('exit_reason', ''), _negated=True), _connector='OR'), name='credit_listing_exit_has_reason'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='creditlisting',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "inspections_creditlistingevent" ("cell_id", "district_code", "entered_on", "enterprise_id", "exit_reason", "exited_on", "id", "kind", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "recorded_by_id") VALUES (NEW."cell_id", NEW."district_code", NEW."entered_on", NEW."enterprise_id", NEW."exit_reason", NEW."exited_on", NEW."id", NEW."kind", NEW."note", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reason", NEW."recorded_by_id"); RETURN NULL;', hash='87f916bde93842ebe3c705ff64b13bf2907bb067', operation='INSERT', pgid='pgtrigger_insert_insert_5595b', table='inspections_creditlisting', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='creditlisting',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "inspections_creditlistingevent" ("cell_id", "district_code", "entered_on", "enterprise_id", "exit_reason", "exited_on", "id", "kind", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "recorded_by_id") VALUES (NEW."cell_id", NEW."district_code", NEW."entered_on", NEW."enterprise_id", NEW."exit_reason", NEW."exited_on", NEW."id", NEW."kind", NEW."note", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reason", NEW."recorded_by_id"); RETURN NULL;', hash='cb6eda559b507214b5f5208ee651b052a0cfb638', operation='UPDATE', pgid='pgtrigger_update_update_f4dfb', table='inspections_creditlisting', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='creditlisting',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "inspections_creditlistingevent" ("cell_id", "district_code", "entered_on", "enterprise_id", "exit_reason", "exited_on", "id", "kind", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "recorded_by_id") VALUES (OLD."cell_id", OLD."district_code", OLD."entered_on", OLD."enterprise_id", OLD."exit_reason", OLD."exited_on", OLD."id", OLD."kind", OLD."note", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reason", OLD."recorded_by_id"); RETURN NULL;', hash='794d33c0cfdadf585dafa3086099b81fadb34cda', operation='DELETE', pgid='pgtrigger_delete_delete_a220e', table='inspections_creditlisting', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='creditlistingevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='514b2034a501c16f3154c54a7891351b288e07f4', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_da870', table='inspections_creditlistingevent', when='BEFORE')),
        ),
        migrations.AddIndex(
            model_name='publication',
            index=models.Index(fields=['kind', '-published_on', '-id'], name='publication_kind_listed'),
        ),
        migrations.AddConstraint(
            model_name='publication',
            constraint=models.CheckConstraint(condition=models.Q(('published_on__gte', models.F('decided_on'))), name='publication_after_decision'),
        ),
        migrations.AddConstraint(
            model_name='publication',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('document__isnull', False), ('kind', 'penalty_decision'), ('plan_visit__isnull', True)), models.Q(('document__isnull', True), ('kind', 'random_check'), ('plan_visit__isnull', False)), _connector='OR'), name='publication_has_its_source'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='publication',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "inspections_publicationevent" ("cell_id", "decided_on", "decision", "district_code", "document_id", "enterprise_id", "findings", "id", "kind", "legal_basis", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "plan_visit_id", "published_on", "recorded_by_id") VALUES (NEW."cell_id", NEW."decided_on", NEW."decision", NEW."district_code", NEW."document_id", NEW."enterprise_id", NEW."findings", NEW."id", NEW."kind", NEW."legal_basis", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."plan_visit_id", NEW."published_on", NEW."recorded_by_id"); RETURN NULL;', hash='81efc50ca35b680d4cb9259b4b1ff2cf911bb73d', operation='INSERT', pgid='pgtrigger_insert_insert_30308', table='inspections_publication', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='publication',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "inspections_publicationevent" ("cell_id", "decided_on", "decision", "district_code", "document_id", "enterprise_id", "findings", "id", "kind", "legal_basis", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "plan_visit_id", "published_on", "recorded_by_id") VALUES (NEW."cell_id", NEW."decided_on", NEW."decision", NEW."district_code", NEW."document_id", NEW."enterprise_id", NEW."findings", NEW."id", NEW."kind", NEW."legal_basis", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."plan_visit_id", NEW."published_on", NEW."recorded_by_id"); RETURN NULL;', hash='081938ef847b8d7a395db3a1e418f0ed109aa2ae', operation='UPDATE', pgid='pgtrigger_update_update_5669d', table='inspections_publication', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='publication',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "inspections_publicationevent" ("cell_id", "decided_on", "decision", "district_code", "document_id", "enterprise_id", "findings", "id", "kind", "legal_basis", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "plan_visit_id", "published_on", "recorded_by_id") VALUES (OLD."cell_id", OLD."decided_on", OLD."decision", OLD."district_code", OLD."document_id", OLD."enterprise_id", OLD."findings", OLD."id", OLD."kind", OLD."legal_basis", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."plan_visit_id", OLD."published_on", OLD."recorded_by_id"); RETURN NULL;', hash='0276ae2dda0db457d5a02e2e2a98bb5a97c7f01e', operation='DELETE', pgid='pgtrigger_delete_delete_1da71', table='inspections_publication', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='publicationevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='47bd6d58dacc447cd98940af644c1582de9d587f', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_1d8da', table='inspections_publicationevent', when='BEFORE')),
        ),
    ]
