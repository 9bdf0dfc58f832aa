"""The learners' firewall rules, as iptables arguments (applied for real by the stack in
tests/integration/test_walking_skeleton.py)."""

from __future__ import annotations

from hub_config.firewall import chain_name, removal, rules


def test_only_replies_and_the_allowed_ports_pass_then_everything_is_rejected() -> None:
    commands = rules("CODERUNNER-x", "br-abc", [8081, 8890, 8081])
    assert commands[0] == ["-N", "CODERUNNER-x"]
    assert "ESTABLISHED,RELATED" in commands[1]
    allowed = [c[c.index("--dport") + 1] for c in commands if "--dport" in c]
    assert allowed == ["8081", "8890"]
    # the rejects come after every allowance, and the chain is entered from INPUT only
    # for the learners' bridge
    first_reject = next(i for i, c in enumerate(commands) if "REJECT" in c)
    assert all("RETURN" not in c for c in commands[first_reject:])
    assert commands[-1] == ["-I", "INPUT", "-i", "br-abc", "-j", "CODERUNNER-x"]


def test_removal_undoes_exactly_the_jump_and_the_chain() -> None:
    assert removal("CODERUNNER-x", "br-abc") == [
        ["-D", "INPUT", "-i", "br-abc", "-j", "CODERUNNER-x"],
        ["-F", "CODERUNNER-x"],
        ["-X", "CODERUNNER-x"],
    ]


def test_chain_names_fit_iptables_limit() -> None:
    assert len(chain_name("a-very-long-instance-name-for-a-school")) <= 28
