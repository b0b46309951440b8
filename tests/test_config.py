"""evo.config: validation into frozen models, overrides, and helpful errors."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from evo.config import (
    SECTIONS,
    SHIFT_KINDS,
    Config,
    apply_overrides,
    parse_override,
    validate_config,
)
from worlds.foraging.config import Contraception, Superstimulus
from agents.errors import MesaevoError
from evo.scenarios import load_config


def error_of(data) -> str:
    with pytest.raises(MesaevoError) as info:
        validate_config(data)
    return str(info.value)


# --- defaults and frozen models ------------------------------------------------------------------


def test_empty_config_gives_defaults():
    cfg = validate_config({})
    assert isinstance(cfg, Config)
    assert cfg == Config()
    assert cfg.run.generations == 100 and cfg.run.seed == 0
    assert cfg.world.width == 64 and cfg.agents.population == 500
    assert cfg.shifts == ()


def test_config_is_frozen():
    cfg = validate_config({"world": {"width": 10}})
    with pytest.raises(ValidationError):
        cfg.world.width = 20
    with pytest.raises(ValidationError):
        cfg.run = cfg.run
    assert cfg.world.width == 10


def test_config_is_a_mesaevo_error_subclass_of_value_error():
    with pytest.raises(ValueError):
        validate_config({"world": {"width": 1}})


def test_shifts_validate_to_their_kind():
    cfg = validate_config({"run": {"generations": 10}, "shifts": [
        {"kind": "superstimulus", "generation": 3, "sugar_level": 0.5},
        {"kind": "contraception", "generation": 5},
    ]})
    assert isinstance(cfg.shifts[0], Superstimulus) and cfg.shifts[0].sugar_level == 0.5
    assert isinstance(cfg.shifts[1], Contraception) and cfg.shifts[1].conception_prob == 0.1


def test_shift_at_last_generation_ok_past_end_accepted():
    # a shorter run of a scenario simply never reaches its shift (a warning, see test_shifts)
    assert validate_config({"run": {"generations": 10},
                            "shifts": [{"kind": "contraception", "generation": 9}]}).shifts[0].generation == 9
    assert validate_config({"run": {"generations": 10},
                            "shifts": [{"kind": "contraception", "generation": 10}]}).shifts[0].generation == 10


# --- overrides -----------------------------------------------------------------------------------


def test_apply_overrides_dotted_keys_copy():
    data = {"world": {"width": 64}}
    out = apply_overrides(data, {"world.width": 32, "agents.population": 7})
    assert out == {"world": {"width": 32}, "agents": {"population": 7}}
    assert data == {"world": {"width": 64}}  # the input is not modified


def test_apply_overrides_list_of_strings_and_index():
    data = {"shifts": [{"kind": "superstimulus", "generation": 100}]}
    out = apply_overrides(data, ["shifts.0.generation=2", "shifts.0.name=candy", "run.seed=7"])
    assert out["shifts"][0] == {"kind": "superstimulus", "generation": 2, "name": "candy"}
    assert out["run"] == {"seed": 7}
    assert data["shifts"][0]["generation"] == 100
    cfg = validate_config(out)
    assert cfg.shifts[0].generation == 2 and cfg.shifts[0].name == "candy" and cfg.run.seed == 7


def test_apply_overrides_none_and_empty():
    data = {"world": {"width": 5}}
    assert apply_overrides(data, None) == data
    assert apply_overrides(data, []) == data
    assert apply_overrides(data, {}) is not data


@pytest.mark.parametrize("overrides, fragment", [
    (["shifts.1.generation=2"], "'1' is not an index of 'shifts'"),
    (["shifts.x.generation=2"], "'x' is not an index of 'shifts'"),
    (["world.width.x=1"], "'world.width' is a value, not a section"),
    (["novalue"], "must look like key.path=value"),
    (["=3"], "empty key"),
    (["world..width=3"], "empty key"),
])
def test_apply_overrides_errors(overrides, fragment):
    data = {"world": {"width": 5}, "shifts": [{"kind": "contraception", "generation": 1}]}
    with pytest.raises(MesaevoError) as info:
        apply_overrides(data, overrides)
    assert fragment in str(info.value)


@pytest.mark.parametrize("item, expected", [
    ("world.width=32", (["world", "width"], 32)),
    ("world.bite=0.25", (["world", "bite"], 0.25)),
    ("world.bite=1e-3", (["world", "bite"], 0.001)),
    ("run.seed=-4", (["run", "seed"], -4)),
    ("flag=true", (["flag"], True)),
    ("flag=false", (["flag"], False)),
    ('run.name="my run"', (["run", "name"], "my run")),
    ("run.name='single'", (["run", "name"], "single")),
    ("agents.architecture=reactive", (["agents", "architecture"], "reactive")),  # bare word
    ("run.name=two words", (["run", "name"], "two words")),
    ("xs=[1, 2]", (["xs"], [1, 2])),
    ("  world.width = 8  ", (["world", "width"], 8)),
    ("a.b=c=d", (["a", "b"], "c=d")),
])
def test_parse_override_reads_toml_values(item, expected):
    assert parse_override(item) == expected


def test_parse_override_value_types_are_exact():
    assert type(parse_override("a=1")[1]) is int
    assert type(parse_override("a=1.0")[1]) is float
    assert type(parse_override("a=true")[1]) is bool
    assert type(parse_override("a=True")[1]) is str  # not TOML: kept as the bare word


@pytest.mark.parametrize("item", ["novalue", "", "world.width"])
def test_parse_override_rejects_missing_equals(item):
    with pytest.raises(MesaevoError, match="key.path=value"):
        parse_override(item)


# --- unknown keys --------------------------------------------------------------------------------


def test_unknown_top_level_key_suggests_section():
    msg = error_of({"wrold": {"width": 3}})
    assert "unknown key 'wrold'" in msg and "did you mean 'world'" in msg


def test_unknown_top_level_key_without_close_match_lists_valid_keys():
    msg = error_of({"zzzzzz": 1})
    assert "unknown key 'zzzzzz'" in msg
    assert "valid keys:" in msg
    for key in [*SECTIONS, "shifts"]:
        assert key in msg


@pytest.mark.parametrize("section, bad, good", [
    ("run", "generatoins", "generations"),
    ("world", "widht", "width"),
    ("agents", "populaton", "population"),
    ("evolution", "mutation_porb", "mutation_prob"),
    ("record", "entity_evry", "entity_every"),
])
def test_unknown_section_key_names_full_path_and_suggestion(section, bad, good):
    msg = error_of({section: {bad: 1}})
    assert f"unknown key '{section}.{bad}'" in msg
    assert f"did you mean '{section}.{good}'" in msg


def test_unknown_shift_key_names_index_and_suggestion():
    msg = error_of({"run": {"generations": 10},
                    "shifts": [{"kind": "contraception", "generation": 1},
                               {"kind": "superstimulus", "generation": 2, "sugar_levle": 0.5}]})
    assert "unknown key 'shifts[1].sugar_levle'" in msg
    assert "did you mean 'shifts[1].sugar_level'" in msg
    assert "shifts[0]" not in msg


def test_unknown_shift_kind_suggests_kind():
    msg = error_of({"shifts": [{"kind": "superstimulis", "generation": 1}]})
    assert "shifts[0].kind" in msg and "did you mean 'superstimulus'" in msg


def test_value_errors_name_the_path_and_value():
    msg = error_of({"world": {"width": -1}, "shifts": [{"kind": "contraception", "generation": -2}]})
    assert "world.width" in msg and "(got -1)" in msg
    assert "shifts[0].generation" in msg and "(got -2)" in msg
    assert "contraception.generation" not in msg  # the union tag is not part of the path


def test_all_errors_reported_together():
    msg = error_of({"world": {"widht": 3, "heigth": 3}, "agents": {"popluation": 3}, "bogus": {}})
    for key in ("world.widht", "world.heigth", "agents.popluation", "'bogus'"):
        assert key in msg, msg
    assert msg.count("unknown key") == 4


def test_all_value_errors_reported_together():
    msg = error_of({"world": {"width": 1, "conception_prob": 2}, "agents": {"architecture": "brain"}})
    assert "world.width" in msg and "world.conception_prob" in msg and "agents.architecture" in msg
    assert len(msg.splitlines()) == 4  # header + one line per problem


def test_source_is_named_in_the_message():
    with pytest.raises(MesaevoError, match="^invalid config 'mine':"):
        validate_config({"world": {"widht": 3}}, source="config 'mine'")


# --- loading files -------------------------------------------------------------------------------


def test_load_config_builtin_with_overrides():
    name, cfg = load_config("sugar", ["run.generations=10", "shifts.0.generation=4", "world.width=16"])
    assert name == "sugar"
    assert cfg.run.generations == 10 and cfg.world.width == 16
    assert cfg.shifts[0].generation == 4 and cfg.shifts[0].kind == "superstimulus"


def test_load_config_file(tmp_path):
    path = tmp_path / "exp1.toml"
    path.write_text('[run]\ngenerations = 5\n[world]\nwidth = 9\n[[shifts]]\nkind = "contraception"\n'
                    'generation = 2\n')
    name, cfg = load_config(path)
    assert name == "exp1"
    assert cfg.world.width == 9 and cfg.shifts[0].kind == "contraception"


def test_load_config_non_utf8_file(tmp_path):
    path = tmp_path / "bin.toml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(MesaevoError, match="cannot read config"):
        load_config(path)


# --- property: malformed configs raise MesaevoError and nothing else --------------------------------

NUMERIC_KEYS = [(s, k) for s, model in SECTIONS.items() for k, f in model.model_fields.items()
                if f.annotation in (int, float)]
ALL_KEYS = [(s, k) for s, model in SECTIONS.items() for k in model.model_fields]
SHIFT_KEYS = sorted({k for model in SHIFT_KINDS.values() for k in model.model_fields})

names = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12)
# TOML-representable scalars (no None), including values far out of any field's range
scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=20),
    st.sampled_from([-1, 0, 1, 2, 3, 10**9, -0.5, 1.5, 1e300, "", "abc", "planner", "superstimulus"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(names, inner, max_size=3)), max_leaves=6)


@st.composite
def section_tables(draw):
    table = {}
    for section, key in draw(st.lists(st.sampled_from(ALL_KEYS), max_size=5)):
        table.setdefault(section, {})[key] = draw(values)
    for section, key in draw(st.lists(st.sampled_from(NUMERIC_KEYS), max_size=3)):
        table.setdefault(section, {})[key] = draw(st.one_of(
            st.integers(-10**12, 10**12), st.floats(-1e12, 1e12), st.sampled_from(["5", [1], {"a": 1}])))
    for section in draw(st.lists(st.sampled_from(list(SECTIONS)), max_size=2)):  # unknown keys in sections
        table.setdefault(section, {})[draw(names)] = draw(values)
    if draw(st.booleans()):
        table[draw(names)] = draw(values)  # unknown (or, by chance, known) top-level key
    return table


@st.composite
def shift_lists(draw):
    shifts = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.integers(0, 4)) == 0:
            shifts.append(draw(values))  # not a table at all
            continue
        ev = {"kind": draw(st.one_of(st.sampled_from(list(SHIFT_KINDS)), values)),
              "generation": draw(st.one_of(st.integers(-5, 300), values))}
        for key in draw(st.lists(st.one_of(st.sampled_from(SHIFT_KEYS), names), max_size=3)):
            ev[key] = draw(values)
        shifts.append(ev)
    return shifts


@st.composite
def malformed_configs(draw):
    data = draw(section_tables())
    if draw(st.booleans()):
        data["shifts"] = draw(st.one_of(shift_lists(), values))
    for section in draw(st.lists(st.sampled_from([*SECTIONS, "shifts"]), max_size=1)):
        data[section] = draw(values)  # a section that is not a table (or is, with junk)
    return data


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}"
                             if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {toml_value(v)}' for k, v in value.items()) + "}"
    raise TypeError(type(value))


def to_toml(data: dict) -> str:
    return "\n".join(f'"{k}" = {toml_value(v)}' for k, v in data.items()) + "\n"


config_texts = st.one_of(
    malformed_configs().map(to_toml),
    st.text(max_size=200),  # random text: usually not TOML at all
    st.lists(st.sampled_from(["[world]", "[run]", "[[shifts]]", "width = 3", "widht = 3", "generations = 0",
                              'kind = "superstimulus"', "generation = 5", "= 3", "[world", "x = [1,",
                              "seed = -1", 'population = "many"', "[agents]", "[world]"]),
             max_size=8).map("\n".join),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=config_texts)
def test_malformed_config_files_raise_only_mesaevo_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            name, cfg = load_config(path)
        except MesaevoError as exc:
            assert str(exc)  # a message for the user
        else:
            assert name == "fuzz" and isinstance(cfg, Config)


def test_generated_toml_round_trips():
    """The property test's TOML writer produces what it means (else the property is vacuous)."""
    import tomllib

    data = {"world": {"width": -1, "x y": [1.5, "a\"b", {"k": True}]}, "shifts": [{"kind": "contraception"}],
            "n": float("inf")}
    assert tomllib.loads(to_toml(data)) == data


def test_shift_kind_that_is_not_a_string_is_a_config_error():
    """A shift whose ``kind`` is a TOML array or table is a user mistake, not a crash."""
    for kind in (["superstimulus"], {"a": 1}):
        msg = error_of({"shifts": [{"kind": kind, "generation": 1}]})
        assert "shifts[0].kind" in msg


def test_a_builtin_name_wins_over_a_directory_of_that_name(tmp_path, monkeypatch):
    """`mesaevo experiment contraception --out contraception` makes a directory named after the scenario in the
    working directory; the scenario name must still mean the built-in scenario, and a directory given as a
    config path is refused as not a file."""
    from agents.errors import MesaevoError
    from evo.scenarios import scenario_data

    monkeypatch.chdir(tmp_path)
    (tmp_path / "contraception").mkdir()
    name, data = scenario_data("contraception")
    assert name == "contraception" and data["shifts"][0]["kind"] == "contraception"
    (tmp_path / "mine").mkdir()
    with pytest.raises(MesaevoError, match="is not a file"):
        scenario_data("mine")
