"""tests/keys.py (the key schema the tests, benchmarks and seed use) spells every key as
shared/src/store/keys.rs does: a test that built keys differently would check nothing."""

import inspect
import re

import keys
from conftest import ROOT

RUST = ROOT / "shared/src/store/keys.rs"
# keys.rs and its submodules (keys/*.rs but its unit tests): the one key schema.
RUST_PARTS = [RUST] + sorted(p for p in (ROOT / "shared/src/store/keys").glob("*.rs") if p.name != "tests.rs")
# Python helpers of tests/keys.py that build no key of keys.rs (hashing, boto3's key shape).
PYTHON_ONLY = {"idempotency_key_hash", "key"}
# Builders: `pub fn name(a: &T, b: &str) -> String { format!("...{a}#{b}", positional...) }`.
BUILDER = re.compile(r'pub fn (\w+)\(([^)]*)\) -> String \{\s*format!\(\s*"([^"]*)"((?:,\s*[^,)]+(?:\(\))?)*)\s*,?\s*\)',
                     re.S)


def rust_source():
    # Only the code before the unit tests: their helper functions are no builders.
    return "\n".join(p.read_text().split("#[cfg(test)]")[0] for p in RUST_PARTS)


def rust_builders():
    """{name: (parameter names, template with every placeholder named)}."""
    source = rust_source()
    builders = {}
    for name, params, template, positional in BUILDER.findall(source):
        names = [p.split(":")[0].strip() for p in params.split(",") if p.strip()]
        # `{}` takes the next positional argument, e.g. `status.as_str()`: named by its variable.
        args = iter(re.findall(r",\s*(\w+)", positional))
        template = re.sub(r"\{\}", lambda _: "{" + next(args) + "}", template)
        builders[name] = (names, template)
    return builders


def test_every_key_builder_of_keys_rs_is_parsed():
    """A builder this test cannot read would silently escape the comparison below."""
    declared = set(re.findall(r"pub fn (\w+)\([^)]*\) -> String", rust_source()))
    assert declared, f"no key builders found in {RUST}"
    assert declared == set(rust_builders()), f"builders this test cannot parse: {declared - set(rust_builders())}"


def test_python_keys_mirror_keys_rs():
    source = rust_source()
    consts = dict(re.findall(r'pub const (\w+): &str = "([^"]*)";', source))
    assert consts, f"no constants found in {RUST}"
    for name, value in consts.items():
        assert getattr(keys, name, None) == value, f"{name}: keys.rs has {value!r}"

    builders = rust_builders()
    for name, (params, template) in builders.items():
        assert hasattr(keys, name), f"keys.py lacks {name}()"
        # Distinct sample values per parameter, so swapped arguments show.
        values = {p: f"arg-{i + 1}" for i, p in enumerate(params)}
        expected = re.sub(r"\{(\w+)\}", lambda m: consts.get(m.group(1)) or values[m.group(1)], template)
        assert getattr(keys, name)(*values.values()) == expected, f"{name}: keys.rs builds {template!r}"

    python = {n for n, f in vars(keys).items() if callable(f) and not n.startswith("_")
              and (inspect.isfunction(f)) and f.__module__ == keys.__name__}
    extra = python - set(builders) - PYTHON_ONLY
    assert not extra, f"keys.py builds keys keys.rs does not: {sorted(extra)}"
