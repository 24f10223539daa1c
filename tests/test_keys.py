"""tests/keys.py (the key schema the tests, benchmarks and seed use) spells every key as
shared/src/store/keys.rs does: a test that built keys differently would check nothing."""

import re

import keys
from conftest import ROOT

RUST = ROOT / "shared/src/store/keys.rs"


def test_python_keys_mirror_keys_rs():
    source = RUST.read_text()
    consts = dict(re.findall(r'pub const (\w+): &str = "([^"]*)";', source))
    functions = re.findall(r'pub fn (\w+)\(\w+: &\w+\) -> String \{\s*format!\("([^"]*)"\)', source)
    assert consts and functions, f"no constants or key functions found in {RUST}"
    for name, value in consts.items():
        assert getattr(keys, name, None) == value, f"{name}: keys.rs has {value!r}"
    for name, template in functions:
        # `{CART_PREFIX}` is a constant of keys.rs; any other `{x}` is the function's argument.
        expected = re.sub(r"\{(\w+)\}", lambda m: consts.get(m.group(1), "arg-1"), template)
        assert hasattr(keys, name), f"keys.py lacks {name}()"
        assert getattr(keys, name)("arg-1") == expected, f"{name}: keys.rs builds {template!r}"
