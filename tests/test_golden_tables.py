"""Every built-in scenario reproduces the tables recorded before the house redesign, bit for bit.

The digests were recorded on the code before the redesign (commit df9e7ef) with
``tests/golden_tables.py``; an intended change of results replaces them and says why
in the commit message. Every foraging scenario was re-recorded with the model issue
("A model that earns its findings": mating acts between fit partners credited to both,
recalibrated conception defaults, per-unit implied weights, the conditional-defection
genome block and the new nesting columns).
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
        "generations": "bb8db9305c9702b4bff72fe5856bea55e6cfd149b5f5126d2919686e380dba06",
        "entities-0": "a01b249c9998516300feab82cac38a62cd1001849ac17a90a13b137f1dd926f8",
        "entities-2": "b90c075e65390159f88e631224c7573ce0ca73a23952b7fc04e33e00a5f1896a",
        "entities-4": "7f6cba7443367dbedfdcbb2cd75f5f2849aa4b1ad33cd65f7b685827ce283960"
    },
    "ancestral/evolved": {
        "generations": "896c58ee372521d5fe7ce53a2cf2bea6d46c225800e1e57d73e648bdb58ed90c",
        "entities-0": "80c2f68004e22781606dc669a2738fabc9d5d3912ae5b773ea1e48669e033293",
        "entities-2": "36770e0c8af0b6cd808579258b57c1e1e03688503edf5a8f872c5c43ac3cec13",
        "entities-4": "e53992ed47375394922e25e56e5ac7494cb8a9069ede08035d3ab08737004875"
    },
    "contraception/planner": {
        "generations": "f09e75ed1ed64e99859220c4f39539aea5fc85c902de2316a12875110e6cc873",
        "entities-0": "a01b249c9998516300feab82cac38a62cd1001849ac17a90a13b137f1dd926f8",
        "entities-2": "b90c075e65390159f88e631224c7573ce0ca73a23952b7fc04e33e00a5f1896a",
        "entities-4": "7511c2e5933f7f0921b56884ae9906eba2250df7f096a507819b714164d149c4"
    },
    "contraception/evolved": {
        "generations": "93f508de2f2c164a1b275733104b3820274571a3630d5dab4e74e140034fb42a",
        "entities-0": "80c2f68004e22781606dc669a2738fabc9d5d3912ae5b773ea1e48669e033293",
        "entities-2": "36770e0c8af0b6cd808579258b57c1e1e03688503edf5a8f872c5c43ac3cec13",
        "entities-4": "c9d794dfab3ce41f15858144ccff511165164e4652283bd60e1b17d74a1c01b6"
    },
    "deception/planner": {
        "generations": "cd5d04eb964a81b28c5649e437c34e71087235e126ea1fc56a794acec09e3607",
        "entities-0": "bbee6e1d0455546f85e60a9f30dcd4eb0be34ce4d56fd124952fbefba271e28e",
        "entities-2": "0de7ffbe82fd7e1665897a62b606ea00423102669955b6806d2f767cb39ec7ba",
        "entities-4": "acdc58864e726b9333d7455cd2386b21c11ce2ebff6885a3bef6fd93afb78a07"
    },
    "deception/evolved": {
        "generations": "763b801f3184a769d261829d374d2ac9fc5495c08b1454b4125bc594864fd5e3",
        "entities-0": "4e7993cb86636cd84f93c7b90e00d3844911d04ea311cef3ed48fbd065092c25",
        "entities-2": "84ec0fd985b8c352849269f947fb1869aa30d76a6b9e5638ba3871566b852471",
        "entities-4": "48660c742dbd75e5dbfc5b2654d58254b1e2d6b1413fae88cd2b89fe154673cf"
    },
    "maze-corner/planner": {
        "generations": "eff700191eb532bc0bdf00765430e1385c218c914c6fa13d3172c8a849483030",
        "entities-0": "7f11bcd311f4435ffdad01a7f43bee70c259e484edb28a65082f5f8669297d96",
        "entities-2": "c56da960279f16d8311eb21e23f30dcc000a8dfdb422b75eb0dd43211ceb9976",
        "entities-4": "4f33d10a65675ee9c2402d9dff379eaa5739cfc8f6225834edc148c5c4cf1b00"
    },
    "sugar-frozen/planner": {
        "generations": "2bf4aba9c4cd6750bfb91d94caa290773a917fe50e1d79af6862ede7bfa91342",
        "entities-0": "a01b249c9998516300feab82cac38a62cd1001849ac17a90a13b137f1dd926f8",
        "entities-2": "b90c075e65390159f88e631224c7573ce0ca73a23952b7fc04e33e00a5f1896a",
        "entities-4": "26f3cd75dd7b2b6bc61fa9eb850478fe1c86d90b5547591cf483689bf94b2404"
    },
    "sugar-frozen/evolved": {
        "generations": "110efd4fc6a448a8649acaf00af48bc536c9d8848ef53279b67699a003ad52be",
        "entities-0": "80c2f68004e22781606dc669a2738fabc9d5d3912ae5b773ea1e48669e033293",
        "entities-2": "36770e0c8af0b6cd808579258b57c1e1e03688503edf5a8f872c5c43ac3cec13",
        "entities-4": "3f9f8a7acace69bb7c4958d1c11183e8e17725d092534b08ab55b6578ff5368e"
    },
    "sugar/planner": {
        "generations": "bfe5106d0f9c5c2c436921a0998d3f178274fded85f0321d37c9b9891656e870",
        "entities-0": "a01b249c9998516300feab82cac38a62cd1001849ac17a90a13b137f1dd926f8",
        "entities-2": "b90c075e65390159f88e631224c7573ce0ca73a23952b7fc04e33e00a5f1896a",
        "entities-4": "704301011fb64bf7b74e1635d143e028750d3a9ea7a84719d265aebf153acc47"
    },
    "sugar/evolved": {
        "generations": "fb72c9680cd819991b508b68759e2007bdf15ad5c9f9422f1947065bc65ac5c9",
        "entities-0": "80c2f68004e22781606dc669a2738fabc9d5d3912ae5b773ea1e48669e033293",
        "entities-2": "36770e0c8af0b6cd808579258b57c1e1e03688503edf5a8f872c5c43ac3cec13",
        "entities-4": "5b3c7ad823f287171cd7b05d9c49cd60d7568493ef4c49ee3b3e48b8abe3bc30"
    },
    "technology/planner": {
        "generations": "a8c0a596d6ee81091f6e28e4c33b2002a45ec4ba2180acc23b4c5906d4db348a",
        "entities-0": "df47e619e8f47e0b0035f4f686e5d6135ac8aae5f1bf8eb16286d4df0160553d",
        "entities-2": "d410d52045b44678667dd7f7c819e83af5ba7816dcc5771388c1e8da59cc3d12",
        "entities-4": "291c5d55f88fedb0f3b2a5b82b3a5b88e7b96b266046cc853fbf000e1b2ccbe0"
    },
    "technology/evolved": {
        "generations": "08be82c29ebe257d338bc0e2ba88663fe74afb6a0e8cbeb3a8dbdc9cd08223e9",
        "entities-0": "bb623eaf006b2ffd3564e202aa7ddd9b2e78514d1e999adf44114732f1df8d74",
        "entities-2": "2bb022e8bba7ef3768db0c5cab0ca68b69293c8af8ca767e552813a8792fa999",
        "entities-4": "77206e43c78a0f0d529ab356b23bad6562a3dd25da1141779ce095b0ef4cc0d7"
    },
    "telephone/planner": {
        "generations": "016dfe1d05cca181101a0a5acb8d08129c9eecd6d37248bc52b38ae80afb420f",
        "entities-0": "e768c874af10c19f2ad1cab935a3142516b6ee402f19ed716b54177ee6eea29a",
        "entities-2": "03ccaeb3a7e82d1e8baf6a0fd1d88a48d96057ca04359279207e456ddd3e6f30",
        "entities-4": "701ca5a754c3cca155b997658f94212630f404fb3746a2c1141b3f9012b1fb75"
    },
    "telephone/evolved": {
        "generations": "1a25dd3cb86622e4dfcb0d1aa314aa8a535857401772b808e0f4f9636b2e142c",
        "entities-0": "deeaa927586aca490d12a8df0ca051b6d149322ad069c53128faa1deea66be71",
        "entities-2": "85923807939e0fa74ece9b6d144299c7f58ce0655a69b4a814310083dd1fb8f5",
        "entities-4": "0305cc4725e59e18a46be7c5b2452ccbabe673f3a4cd386800871bad931dd080"
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
