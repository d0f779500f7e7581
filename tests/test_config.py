"""The configuration: defaults, partial files, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from authority import AS_OF_TEXT, Authority
from caseweight.cli import main
from caseweight.config import Config, config_to_dict
from caseweight.errors import ConfigError
from conftest import Runner

REPO = Path(__file__).resolve().parents[1]
WEIGHTS_YAML = REPO / "config" / "weights.yaml"


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "weights.yaml"
    path.write_text(text, encoding="utf-8")
    return Config.from_file(path)


def test_no_file_gives_the_defaults() -> None:
    assert Config.from_file(None) == Config()


@pytest.mark.parametrize("text", ["", "# only a comment\n", "{}\n"])
def test_empty_file_gives_the_defaults(tmp_path: Path, text: str) -> None:
    config = load(tmp_path, text)
    assert config == Config()
    assert config.sha256 == Config().sha256


def test_bundled_weights_yaml_equals_the_defaults() -> None:
    config = Config.from_file(WEIGHTS_YAML)
    assert config_to_dict(config) == config_to_dict(Config())
    assert config.sha256 == Config().sha256


def test_bundled_weights_yaml_spells_out_every_default() -> None:
    """Every default is written in the file, so a reader sees each value and its source."""
    written = yaml.safe_load(WEIGHTS_YAML.read_text(encoding="utf-8"))

    def keys(data: object, prefix: str = "") -> set[str]:
        if not isinstance(data, dict):
            return {prefix}
        return {k for name, v in data.items() for k in keys(v, f"{prefix}{name}.")}

    assert keys(written) == keys(config_to_dict(Config()))


def test_partial_file_keeps_the_other_defaults(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        "capacity:\n  hard_limit: 1.3\nweights:\n  flags:\n    uasc: 2.5\n",
    )
    defaults = Config()
    assert config.capacity.hard_limit == 1.3
    assert config.capacity.points_per_fte == defaults.capacity.points_per_fte
    assert config.capacity.target_utilisation == defaults.capacity.target_utilisation
    assert config.weights.flags["uasc"] == 2.5
    assert config.weights.flags["disability"] == defaults.weights.flags["disability"]
    assert config.weights.base_in_care == defaults.weights.base_in_care
    assert config.optimiser == defaults.optimiser
    assert config.sha256 != defaults.sha256


def test_sha256_ignores_comments_and_key_order(tmp_path: Path) -> None:
    one = load(tmp_path, "optimiser:\n  seed: 3\n  change_penalty: 50\n")
    two = load(tmp_path, "# a note\noptimiser:\n  change_penalty: 50  # why\n  seed: 3\n")
    assert one.sha256 == two.sha256
    assert len(one.sha256) == 64


def test_list_setting_replaces_the_default_list(tmp_path: Path) -> None:
    config = load(tmp_path, "weights:\n  base_care_leaver:\n    - {from_age: 16, points: 5}\n")
    assert [(b.from_age, b.points) for b in config.weights.base_care_leaver] == [(16, 5.0)]


def test_integer_accepted_where_a_number_is_expected(tmp_path: Path) -> None:
    config = load(tmp_path, "capacity:\n  points_per_fte:\n    social_worker: 90\n")
    assert config.capacity.points_per_fte["social_worker"] == 90.0
    assert isinstance(config.capacity.points_per_fte["social_worker"], float)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("wieghts: {}\n", "wieghts"),
        ("capacity:\n  hard_limt: 1.3\n", "hard_limt"),
        ("weights:\n  flags:\n    uacs: 1\n", "uacs"),
        ("weights:\n  legal_status:\n    care_ordr: 1\n", "care_ordr"),
        ("optimiser:\n  balance_above_target:\n    - {beyond: 0, slop: 3}\n", "slop"),
    ],
)
def test_unknown_key_is_an_error_naming_it(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("capacity:\n  hard_limit: high\n", "hard_limit"),
        ("optimiser:\n  seed: 1.5\n", "seed"),
        ("optimiser:\n  change_penalty: true\n", "change_penalty"),
        ("weights:\n  flags:\n    uasc: yes\n", "uasc"),
        ("weights:\n  flags: [uasc]\n", "flags"),
        ("weights:\n  base_in_care: 5\n", "base_in_care"),
        ("capacity: 1.2\n", "capacity"),
        ("- 1\n- 2\n", "mapping"),
    ],
)
def test_wrong_type_is_an_error(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load(tmp_path, text)


def test_non_convex_balance_slopes_are_refused(tmp_path: Path) -> None:
    text = (
        "optimiser:\n  balance_above_target:\n"
        "    - {beyond: 0, slope: 8}\n    - {beyond: 10, slope: 3}\n"
    )
    with pytest.raises(ConfigError, match="convex"):
        load(tmp_path, text)


@pytest.mark.parametrize(
    "text",
    [
        "optimiser:\n  balance_below_target:\n    - {beyond: 5, slope: 1}\n",
        "optimiser:\n  balance_below_target:\n    - {beyond: 0, slope: -1}\n",
        "capacity:\n  target_utilisation: 1.3\n  hard_limit: 1.2\n",
        "weights:\n  personal_adviser_share: 1.5\n",
        "capacity:\n  grade_factor:\n    asye: 0\n",
        "optimiser:\n  search_workers: 0\n",
    ],
)
def test_inconsistent_values_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        load(tmp_path, text)


def test_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="YAML"):
        load(tmp_path, "capacity: [unclosed\n")


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nothere\.yaml"):
        Config.from_file(tmp_path / "nothere.yaml")


def test_bad_config_on_the_command_line_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    cases, workers = Authority().worker("S1").person("A", sw="S1").write(tmp_path / "in")
    config = tmp_path / "mine.yaml"
    config.write_text("capacity:\n  hard_limt: 1.3\n", encoding="utf-8")
    args = ["allocate", "--cases", str(cases), "--workers", str(workers), "--as-of", AS_OF_TEXT]
    args += ["--out", str(tmp_path / "out"), "--config", str(config), "--no-report", "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "hard_limt" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_config_changes_the_proposal_inputs(tmp_path: Path, run_authority: Runner) -> None:
    """A partial config is really used: a higher hard limit lets a worker take one more."""
    authority = Authority().worker("S1", capacity_points=10)
    for pid in "ABC":
        authority.person(pid)
    strict = run_authority(authority)
    loose = run_authority(authority, load(tmp_path, "capacity:\n  hard_limit: 1.5\n"))
    assert strict.proposal.summary()["unallocated"] == 1  # 10 points fit within 12
    assert loose.proposal.summary()["unallocated"] == 0  # 15 points fit within 15
