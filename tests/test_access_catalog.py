"""The permission catalogue and the built-in roles: what each role a user knows may do."""

from __future__ import annotations

import pytest

from waypost.schemas.access import (
    BUILTIN_ROLES,
    PERMISSIONS,
    Level,
    builtin_role,
    check_permissions,
    covers,
    permission,
)


def test_the_roles_users_know_exist_at_each_level() -> None:
    names = {(r.level.value, r.name) for r in BUILTIN_ROLES}
    for name in ("Admin", "Manager", "Viewer", "Billing Admin", "Member"):
        assert ("organization", name) in names
    for name in ("Admin", "Developer", "Contributor", "Viewer", "Stack Admin"):
        assert ("workspace", name) in names
    for name in ("Admin", "Developer", "Contributor", "Viewer"):
        assert ("project", name) in names
    assert len(names) == len(BUILTIN_ROLES)  # one of each name per level


def test_viewers_read_and_change_nothing() -> None:
    for level in Level:
        viewer = builtin_role(level, "viewer")
        assert viewer is not None
        assert viewer.permissions
        assert all(p.endswith(":read") for p in viewer.permissions)
        assert "secret:read" not in viewer.permissions


def test_contributors_run_but_delete_nothing_and_developers_delete() -> None:
    for level in (Level.WORKSPACE, Level.PROJECT):
        contributor, developer = builtin_role(level, "Contributor"), builtin_role(level, "Developer")
        assert contributor is not None
        assert developer is not None
        assert "pipeline:run" in contributor.permissions
        assert "run:create" in contributor.permissions
        assert not any(p.endswith(":delete") for p in contributor.permissions)
        assert "run:delete" in developer.permissions
        assert "model:promote" in developer.permissions
        assert "model:approve" not in developer.permissions  # approving is the admins' (and custom roles')


def test_only_admins_manage_members_and_the_org_admin_holds_everything() -> None:
    org_admin = builtin_role(Level.ORGANIZATION, "Admin")
    assert org_admin is not None
    assert org_admin.permissions == list(PERMISSIONS)
    for role in BUILTIN_ROLES:
        if any(p.endswith(":manage_members") for p in role.permissions):
            assert role.name in ("Admin", "Manager"), role


def test_unknown_permissions_are_named() -> None:
    assert permission("run", "read") == "run:read"
    with pytest.raises(ValueError, match="Unknown permission 'run:approve'"):
        permission("run", "approve")
    with pytest.raises(ValueError, match="Unknown permission 'pipelines:read'"):
        check_permissions(["run:read", "pipelines:read"])
    assert check_permissions({"run:read", "artifact:read"}) == ["run:read", "artifact:read"]  # catalogue order


def test_wider_scopes_inherit_down() -> None:
    assert covers("organization", "project")
    assert covers("workspace", "project")
    assert covers("project", "project")
    assert not covers("project", "workspace")
    assert not covers("workspace", "organization")
