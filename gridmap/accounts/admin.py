from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class GridmapUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("联系方式", {"fields": ("full_name", "phone")}),)
    list_display = ("username", "full_name", "phone", "is_staff", "is_active")
    search_fields = ("username", "full_name", "phone")
