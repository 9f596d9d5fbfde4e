"""SQL run by triggers that several apps' models declare (kept free of model imports)."""

# Changes the lookup version (grids.models.LookupVersion). A fresh random token, not a
# counter, so that a rolled-back change cannot leave behind a number that a later, different
# change reaches again.
BUMP_LOOKUP_VERSION = """
    INSERT INTO grids_lookupversion (id, token, changed_at) VALUES (1, gen_random_uuid(), now())
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    RETURN NULL;"""
