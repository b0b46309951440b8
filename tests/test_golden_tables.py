"""Every built-in scenario reproduces the tables recorded before the house redesign, bit for bit.

The digests were recorded on the code before the redesign (commit df9e7ef) with
``tests/golden_tables.py``; an intended change of results replaces them and says why
in the commit message. Every foraging scenario was re-recorded with the model issue
("A model that earns its findings": mating acts between fit partners credited to both,
recalibrated conception defaults, per-unit implied weights, the conditional-defection
genome block and the new nesting columns). Every evolving scenario's generation table and
entity records after generation 0 were re-recorded with the vectorised GA operators (issue 13:
DEAP's two-point crossover and polynomial-bounded mutation over the offspring array, same
distributions, numpy draws instead of DEAP's draw sequence); generation 0 is unchanged. The
`telephone` and `deception` keys were re-recorded once more for the delegation economics of issue 11
(lean sub-agents, remittance through builders, scenario settings, return-by-alignment and
builds-by-depth columns), on top of the GA change.
"""

from __future__ import annotations

import pytest

from evo.scenarios import list_scenarios, scenario_data
from evo.simulation import Simulation
from tests.golden_tables import run_digests, small_overrides

RECORDED = {
    # added with the hungry-thirsty world (recorded when it was added, not before the redesign)
    "hungry-thirsty/planner": {
        "generations": "6df2ab9f88aed5ae96c7b42c1c564f5718e04db2d1dcadf0fc75698a4a0e4788",
        "entities-0": "a947b7328f7a0dfef969d163ee068d6ea0ce3c2e8b4cb159158cff970c7deca6",
        "entities-2": "2052f08bf9ba32f2c4a7ceb1348512699473d0ca57d6fbd77ad7684b3a621ae2",
        "entities-4": "53d8760c18a76a50710c26c7b335b847fa8191911df2fce7f6d40bfe2f0b5a9b"
    },
    "ancestral/planner": {
        "generations": "69021992191388470923234e7d5df5cfe76684e08eb76b38fd815861fd80bea1",
        "entities-0": "a01b249c9998516300feab82cac38a62cd1001849ac17a90a13b137f1dd926f8",
        "entities-2": "5a3dfcd3251aa85f08689b01db6fecae5c882fc59ef77e920bb6d5434c05e4cd",
        "entities-4": "1037f7c9e7f92aec92f4c2d856701e60ac5a69e0619e49ec2aa1373b2e1f75b6"
    },
    "ancestral/evolved": {
        "generations": "e17e204bcc81c69a318845802812e3294423622e0800bc2a4f1d914f3339d5c4",
        "entities-0": "80c2f68004e22781606dc669a2738fabc9d5d3912ae5b773ea1e48669e033293",
        "entities-2": "5f799245d4768c00c4060ec6cd8324c733fe3632d2c513ff18bdd127781976f6",
        "entities-4": "66394a3176134413f90a3eff635569a5d78234e2f2b171d4fc5154046265a6ab"
    },
    "contraception/planner": {
        "generations": "00c060b66b199cf8c5ccde51ef1ec5c0686b3c032a974c73f0a9c17557efb7bb",
        "entities-0": "a01b249c9998516300feab82cac38a62cd1001849ac17a90a13b137f1dd926f8",
        "entities-2": "5a3dfcd3251aa85f08689b01db6fecae5c882fc59ef77e920bb6d5434c05e4cd",
        "entities-4": "f9d27504d3021983324816b5592ab5906673ccc58f91170633f9d2b7c110bbdb"
    },
    "contraception/evolved": {
        "generations": "73b1410ee262c1abb06fa47c0ec27ab507826a39b52d0585b5a981b7667b0bb2",
        "entities-0": "80c2f68004e22781606dc669a2738fabc9d5d3912ae5b773ea1e48669e033293",
        "entities-2": "5f799245d4768c00c4060ec6cd8324c733fe3632d2c513ff18bdd127781976f6",
        "entities-4": "d4e26fb81e5db5a93b75adf5450f95b48003cf253a8a439ecbac91370d7128da"
    },
    "deception/planner": {
        "generations": "e7d2937e9b64e3a6e62b9c3415f91fb92a2473e6317b801b2ee9660d9ba3d04e",
        "entities-0": "afcf32954822ac0a36d7d376f95522e8b6f31710f38e39ff9976721cb6fb318e",
        "entities-2": "1ca1367067376d33ee2fdd4483645f50741c24fd81202d6ccdd7e34cd84dbb9f",
        "entities-4": "fe5a02a7b875e309b63b30d6ef1df4b944a5fa6b82d734b0ada48ee0c65e87d2"
    },
    "deception/evolved": {
        "generations": "667c95395610f776e5f5d891495d23f86d0671dce08098ee4c34f41d003d667d",
        "entities-0": "c4e50b1c81e7a8cecf0e6cd9df55a0e99c2d772dc781da8b88c303e8eab42da8",
        "entities-2": "0d2fc549ae3f1160d6b76d34e8eb137442fd42cb4b56ab9fa24e007cd8c768ee",
        "entities-4": "d924843bc4dfdc98d684679dbb42e926dcfdae55f10f19f96806e0371033ce6a"
    },
    "maze-corner/planner": {
        "generations": "9f7872fb7c9a810c2f03e0482a664b376dfd1f61d04b00c671886d4cf5404ecd",
        "entities-0": "7f11bcd311f4435ffdad01a7f43bee70c259e484edb28a65082f5f8669297d96",
        "entities-2": "4eb343393bca0c545f2883ad941cb834b7aa51fc7bff3d4051ca9ddc0459b5d4",
        "entities-4": "b156982274bdbf2f4057389bedff8e91e506e0ae339a89e895fdd5402d1d91da"
    },
    "sugar-frozen/planner": {
        "generations": "c324857dc16de4c6ca68a17b7ea5bb4ef37f682079f2e1de6016720bf5603196",
        "entities-0": "a01b249c9998516300feab82cac38a62cd1001849ac17a90a13b137f1dd926f8",
        "entities-2": "5a3dfcd3251aa85f08689b01db6fecae5c882fc59ef77e920bb6d5434c05e4cd",
        "entities-4": "49a5c2affcf3235069d2744b89e6d9e279c803618f1495d84750064c5eba8c9b"
    },
    "sugar-frozen/evolved": {
        "generations": "af05515ccf01bb9dd6be1e9ccc492d5c4d1c13f05aa438c7d9d977fdc7e416ee",
        "entities-0": "80c2f68004e22781606dc669a2738fabc9d5d3912ae5b773ea1e48669e033293",
        "entities-2": "5f799245d4768c00c4060ec6cd8324c733fe3632d2c513ff18bdd127781976f6",
        "entities-4": "398aecabe9b413e4884e3a5d909be5e07f65d56e553f52a566c822738c6a408c"
    },
    "sugar/planner": {
        "generations": "793ecdf8bf4f16324156b07261c75bd38b40077249eddc1e745e6de3104b4ce7",
        "entities-0": "a01b249c9998516300feab82cac38a62cd1001849ac17a90a13b137f1dd926f8",
        "entities-2": "5a3dfcd3251aa85f08689b01db6fecae5c882fc59ef77e920bb6d5434c05e4cd",
        "entities-4": "ead5b19f4e95d8759853b73c72a22dffe467d391d55b3ec47273180b8ef869fe"
    },
    "sugar/evolved": {
        "generations": "c66631ae88132d07b409e73b6746807f17a1acfd0be7de075f4a680abfde0187",
        "entities-0": "80c2f68004e22781606dc669a2738fabc9d5d3912ae5b773ea1e48669e033293",
        "entities-2": "5f799245d4768c00c4060ec6cd8324c733fe3632d2c513ff18bdd127781976f6",
        "entities-4": "eb2bde8b6e9891e031bd19613897ed4996a59a6171adbfaa2ec9cae28ae72161"
    },
    "technology/planner": {
        "generations": "5158503c5465e377c0247d7d9ac905f72d65271c891a79ff73a742c761535f9e",
        "entities-0": "df47e619e8f47e0b0035f4f686e5d6135ac8aae5f1bf8eb16286d4df0160553d",
        "entities-2": "fa95d56ca75c8ada611c73b3c594f7ab41c47d6d7bfdc2ce92137e5c9ecf1908",
        "entities-4": "f64c425d08d05410cd2d51633f2b85dd80ee783cad16405089529059d013db93"
    },
    "technology/evolved": {
        "generations": "6ec4ba7b7255fd16c5f38e30709a9cffdcecfec6a7b8cbe64c0010437bcbdbd1",
        "entities-0": "bb623eaf006b2ffd3564e202aa7ddd9b2e78514d1e999adf44114732f1df8d74",
        "entities-2": "f071d00684d97f83cb96a155767d370e998b83683901a84a9f4e0b5bcf683bda",
        "entities-4": "66394a3176134413f90a3eff635569a5d78234e2f2b171d4fc5154046265a6ab"
    },
    "telephone/planner": {
        "generations": "aee5379daa1be996522f5d90edb9c53267ff885f9a12285351301ae8c79b9461",
        "entities-0": "afcf32954822ac0a36d7d376f95522e8b6f31710f38e39ff9976721cb6fb318e",
        "entities-2": "1ca1367067376d33ee2fdd4483645f50741c24fd81202d6ccdd7e34cd84dbb9f",
        "entities-4": "fe5a02a7b875e309b63b30d6ef1df4b944a5fa6b82d734b0ada48ee0c65e87d2"
    },
    "telephone/evolved": {
        "generations": "e2526946c92716a1d1d124174bea416d1cb54ecde89295d10b86a0e765e4c341",
        "entities-0": "c4e50b1c81e7a8cecf0e6cd9df55a0e99c2d772dc781da8b88c303e8eab42da8",
        "entities-2": "0d2fc549ae3f1160d6b76d34e8eb137442fd42cb4b56ab9fa24e007cd8c768ee",
        "entities-4": "de9b1c940770ed8f1c964bcf1043b1c3f6cd393243bcf4459d1cf5ac92c32a62"
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
