"""Every built-in scenario reproduces the tables recorded before the house redesign, bit for bit.

The digests were recorded on the code before the redesign (commit df9e7ef) with
``tests/golden_tables.py``; an intended change of results replaces them and says why
in the commit message.
"""

from __future__ import annotations

import pytest

from evo.scenarios import list_scenarios, scenario_data
from evo.simulation import Simulation
from tests.golden_tables import run_digests, small_overrides

RECORDED = {
    # added with the hungry-thirsty world (recorded when it was added, not before the redesign)
    "hungry-thirsty/planner": {
        "generations": "96a4045204ea89d235c9636160d487fdb685f26c766a37c09098026953a6a700",
        "entities-0": "a947b7328f7a0dfef969d163ee068d6ea0ce3c2e8b4cb159158cff970c7deca6",
        "entities-2": "0f5f0698e70ca7a2a9aa782ec6f79d24a8ccc79ceab957f675a7faa5b0cc7f2d",
        "entities-4": "a4bacfe34e51260338552c94e0042637dfb2f29307f2424504abddb547bcd893"
    },
    "ancestral/planner": {
        "generations": "93537e296c9da83e9a6a365d338bf982ad3fd46e061b1fd76a3561952934525e",
        "entities-0": "c6fff5611f594b7dcc2546acef3d2ad8135171bab1722eb49ee6248e24d68a1b",
        "entities-2": "8632d4f350ed0a4a74b3b44ce2ef18c2bff6bdf0c37c0af43d18b7886723e45d",
        "entities-4": "d3c22546393671edca69ae9702cfa685ebf66ae8b1a2047b7f73473aafc35c73"
    },
    "ancestral/evolved": {
        "generations": "5f3da4f49819a9096b66e7c1fdb2f81d044d30c3c53846bcb5591437e0503175",
        "entities-0": "052b520e05a2a6ed02e0e4c9d2b8b240ff0555503686febccd0900b74f27b9dc",
        "entities-2": "8974c560e47f75e374c4a5a6f63481dd2ddeb2739e28a01d5cd254f51dc8630c",
        "entities-4": "9f881977569bf25e87e0cef16322bf394da550c913dca04c6f30c572348ac719"
    },
    "contraception/planner": {
        "generations": "bb0be15eaf6635512131e04318bf3c0231cac553e65277f14eee2f4080d2cf66",
        "entities-0": "c6fff5611f594b7dcc2546acef3d2ad8135171bab1722eb49ee6248e24d68a1b",
        "entities-2": "8632d4f350ed0a4a74b3b44ce2ef18c2bff6bdf0c37c0af43d18b7886723e45d",
        "entities-4": "d3c22546393671edca69ae9702cfa685ebf66ae8b1a2047b7f73473aafc35c73"
    },
    "contraception/evolved": {
        "generations": "02c9f36c0c4a25ef7d2ee788852c514048141b3342f34389513e1213275dd47b",
        "entities-0": "052b520e05a2a6ed02e0e4c9d2b8b240ff0555503686febccd0900b74f27b9dc",
        "entities-2": "8974c560e47f75e374c4a5a6f63481dd2ddeb2739e28a01d5cd254f51dc8630c",
        "entities-4": "9f881977569bf25e87e0cef16322bf394da550c913dca04c6f30c572348ac719"
    },
    "deception/planner": {
        "generations": "b070129173690391f8697170b25431ba4a2e1be1e6e91828095f48e7d39566b9",
        "entities-0": "1c2e689ef8d2c77f91e5ae70ec52c0d3348fddf0def6c483f26e611fc247f7a6",
        "entities-2": "0e5c68b4879dd941b65f1c1afcfff2e5519b8a18c53dc09c0977ccbdf6865a1b",
        "entities-4": "4dd879e8699721a2683a75362a043c82f0d0eb39077e69d7ed6e1e779b7cc6da"
    },
    "deception/evolved": {
        "generations": "82ecbbefab8d116768e96f1d8708066aa88736134a44a0b67a64fc6b5cd2a626",
        "entities-0": "e930fcfbf26dcee525a03b87dcbcfaa398c7c6d6821a95d9ab473fa75ea88b91",
        "entities-2": "1e73bca2694b185a88371fccad1497195714b4b2066170eeffeffea93235385d",
        "entities-4": "39820ae65a3b7b3aa45c225910e72482481f0f1d476e59d3dee7978072ea12f6"
    },
    "maze-corner/planner": {
        "generations": "eff700191eb532bc0bdf00765430e1385c218c914c6fa13d3172c8a849483030",
        "entities-0": "7f11bcd311f4435ffdad01a7f43bee70c259e484edb28a65082f5f8669297d96",
        "entities-2": "c56da960279f16d8311eb21e23f30dcc000a8dfdb422b75eb0dd43211ceb9976",
        "entities-4": "4f33d10a65675ee9c2402d9dff379eaa5739cfc8f6225834edc148c5c4cf1b00"
    },
    "sugar-frozen/planner": {
        "generations": "04d448039f760fe7acd21373e39dbf18c901039b224d7b8baea8e29800905318",
        "entities-0": "c6fff5611f594b7dcc2546acef3d2ad8135171bab1722eb49ee6248e24d68a1b",
        "entities-2": "8632d4f350ed0a4a74b3b44ce2ef18c2bff6bdf0c37c0af43d18b7886723e45d",
        "entities-4": "f756fba496d59b1791f8f518d5eb65adacabe896db42133bce43e50e9a140bb5"
    },
    "sugar-frozen/evolved": {
        "generations": "9194717cb331bfd473279652692acfeff1700095e0e5808a758b4f12e1e8cc05",
        "entities-0": "052b520e05a2a6ed02e0e4c9d2b8b240ff0555503686febccd0900b74f27b9dc",
        "entities-2": "8974c560e47f75e374c4a5a6f63481dd2ddeb2739e28a01d5cd254f51dc8630c",
        "entities-4": "1594c85e5bf191dcf85233a986b2c335cbb319cacc5b0941aff4c288fd19f26a"
    },
    "sugar/planner": {
        "generations": "e99550378b8b4382f845e6d24237e4ab77166c418f8c718970fca74059c9fe78",
        "entities-0": "c6fff5611f594b7dcc2546acef3d2ad8135171bab1722eb49ee6248e24d68a1b",
        "entities-2": "8632d4f350ed0a4a74b3b44ce2ef18c2bff6bdf0c37c0af43d18b7886723e45d",
        "entities-4": "b1ef70a0256909a601d46c7b93ac8c14bda9ab330f0729ba8115d33f2d3a6c4b"
    },
    "sugar/evolved": {
        "generations": "e77ae87243910193da38802e3ffb6d037793d177a799b4e87743345170890dcd",
        "entities-0": "052b520e05a2a6ed02e0e4c9d2b8b240ff0555503686febccd0900b74f27b9dc",
        "entities-2": "8974c560e47f75e374c4a5a6f63481dd2ddeb2739e28a01d5cd254f51dc8630c",
        "entities-4": "61f0fb5e6d07dd5f40b26a2fc7557f74a9bfcca5842c91e5de489bd0d4553209"
    },
    "technology/planner": {
        "generations": "a7c49cfc5c457a6fdfef3ddf676e3a1bf1eb0c34e2e3527fe1e4989236ec8d66",
        "entities-0": "4cb0b222fa6cccf3011f76c85b2c801324f48e697e631fd014c9006d17f88c4a",
        "entities-2": "78310d0e32e4143f917018001dbf516c530fbc89efcf15a117d0cf6883cc44bd",
        "entities-4": "d3c22546393671edca69ae9702cfa685ebf66ae8b1a2047b7f73473aafc35c73"
    },
    "technology/evolved": {
        "generations": "945bb296433c9fcc837ec1cbdac67aa1f95e574e3229716c04691d43621b7398",
        "entities-0": "950937c6ddc5a638e60b21115f8daa70add641f7b7a55c9ec776754087870362",
        "entities-2": "a9ff7b1c87df898e8b21215510592f7901972f3a46109a2dbec6f27f17cef630",
        "entities-4": "9f881977569bf25e87e0cef16322bf394da550c913dca04c6f30c572348ac719"
    },
    "telephone/planner": {
        "generations": "3cf9856d4cc9359177af1f12dd887aa33c9d32c951f95090202ae6bb9c4d0931",
        "entities-0": "879311946fafcf24ac17e152e75f3d5e5c3225ebb20fa9d904e3e4d8a8a51df0",
        "entities-2": "ad7241910bf7e7951491ead51ca2e93ff7426ca84eac0a51557e68a2f6079499",
        "entities-4": "61a3d6594e64b2a8cbe36b778e107626b50a48d9a3b5e0d4492e2544a6f1dcfe"
    },
    "telephone/evolved": {
        "generations": "68d06c25a282e1062afde3ccaca24c924b9b20a07b85e7709cbaf9ac0dc54a32",
        "entities-0": "0e47d8aa0d6a81cdee49bb0601f0c2086653e46d8e8226ae77be241e93974a2b",
        "entities-2": "1e73bca2694b185a88371fccad1497195714b4b2066170eeffeffea93235385d",
        "entities-4": "35ba2d1ac4c0faaf163e742ffbaf8cd495aef59bc87e112cf655e8455b75fe95"
    }
}


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_scenario_tables_are_bit_identical_to_recorded(key, tmp_path):
    name, arch = key.split("/")
    _, data = scenario_data(name)
    kind = data.get("world", {}).get("kind", "foraging")
    frozen = data.get("deployment", {}).get("mode") == "frozen"
    over = {**small_overrides(name, kind, bool(data.get("shifts")), frozen), "agents.architecture": arch}
    Simulation.from_scenario(name, over, out=tmp_path / "run").run()
    assert run_digests(tmp_path / "run") == RECORDED[key]


def test_every_builtin_scenario_is_recorded():
    assert {k.split("/")[0] for k in RECORDED} == set(list_scenarios())
