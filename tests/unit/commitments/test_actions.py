"""Every command an action tells staff to run is one the command line accepts as written."""

from __future__ import annotations

from mimoto_gov.policy.files import COMMITMENTS_FILE, load_commitments, repository_policy_dir
from tests.helpers.commands import commands_in, parse_error, unquoted_commands


def test_every_command_in_the_commitments_actions_parses():
    commitments = load_commitments(repository_policy_dir() / COMMITMENTS_FILE)
    checked = 0
    for item in commitments:
        assert unquoted_commands(item.action) == [], item.id
        for command in commands_in(item.action):
            assert parse_error(command) is None, (item.id, command, parse_error(command))
            checked += 1
    assert checked >= 15
    sar = [c for item in commitments for c in commands_in(item.action) if " sar " in f"{c} "]
    assert sar == ["mimoto-gov sar EMAIL --request-id ID"]


def test_the_checker_refuses_a_wrong_command():
    assert parse_error("mimoto-gov sar REQUEST-ID") is not None
    assert parse_error("mimoto-gov requests verify") is not None
    assert parse_error("mimoto-gov sar EMAIL --request-id ID") is None
