"""Every built-in scenario reproduces the tables recorded before the house redesign, bit for bit.

The digests were recorded on the code before the redesign (commit df9e7ef) with
``tests/golden_tables.py``; an intended change of results replaces them and says why
in the commit message. Every foraging scenario was re-recorded with the model issue
("A model that earns its findings": mating acts between fit partners credited to both,
recalibrated conception defaults, per-unit implied weights, the conditional-defection
genome block and the new nesting columns). Every evolving scenario's generation table and
entity records after generation 0 were re-recorded with the vectorised GA operators (issue 13:
DEAP's two-point crossover and polynomial-bounded mutation over the offspring array, same
distributions, numpy draws instead of DEAP's draw sequence); generation 0 is unchanged.
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
        "generations": "75156855181c114f2dfa9f3a0a79c5a8f7a448318bc05ceac5dcd0c5407453a7",
        "entities-0": "a18154ec52885a82c579374f6f23eb6276a88604427812380a4604770f515eae",
        "entities-2": "79fdeb2f522aeefa13bbdec5596b553a4e5fcfde012ed58c97904036ed583944",
        "entities-4": "1f0772d4d80be800ae9d25179d929341d7ede9d45c75609b095c0b1cede7f514"
    },
    "deception/evolved": {
        "generations": "974c9c70952373f143621f25c7dc61abd1b0dd9a3102906441aa440f16e034a6",
        "entities-0": "9636647c5c867349b3e786fd836bdd91a80dc11600f1b31ffbf5269eca7872f9",
        "entities-2": "a1d5d49e34f11af0e011ac3c8c85e830c306925fbfc0c0b2a863eef8cf3bdba8",
        "entities-4": "7ebca08bf41c9eecde7a88ffd3adefb91c9ece0271d463443533e7b5b9e00af1"
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
        "generations": "64871b6780a14eb80418ac37c2403e2f2861403ca69f215bb35a45d66a6977fe",
        "entities-0": "f0647ba416b93488b6154cb3fd627d70406a2c49943bcc809bd162dd68fe41ec",
        "entities-2": "79fdeb2f522aeefa13bbdec5596b553a4e5fcfde012ed58c97904036ed583944",
        "entities-4": "4e8e9138b3d31460db6990de5bd3dea4e4e4e7775fbde7e9c576d97ce7b389a6"
    },
    "telephone/evolved": {
        "generations": "05bfa05b05b31f52da3d35feed1c2a28c2b9515ea6c25516e9dcbbefec80e7ba",
        "entities-0": "f06e45973db80730213cf0d09ad8db34a20d566f3fcc2566c43b8c7dfb2f7060",
        "entities-2": "a1d5d49e34f11af0e011ac3c8c85e830c306925fbfc0c0b2a863eef8cf3bdba8",
        "entities-4": "7cae9a66626c2a210463ab18f2dcc5ed1ec169caf57c8cad2c90a05ba2eb1d9b"
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
