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
        "generations": "1a8e659d2404208472bc53c4af5d8de939a44d8fbc4b7265bb7870e914738269",
        "entities-0": "65de486ee3522ddb4973b34b87e8c59e5aadcf198702b99505eeef612895137b",
        "entities-2": "c7f141f87a127cfe839f9218097f13ec5d95f529d6743e88d504e2c978c5e5f2",
        "entities-4": "d2887806198893cdca3c1a67536d0dfe1971796228baa199b51e0f02b7a1bc23"
    },
    "deception/evolved": {
        "generations": "c11aa916e20a1bee2d318a3db1110f4eecdc8a0bb2b18dcb2d8c7e9cc7c31fab",
        "entities-0": "fca5b2271781eefeff6cbf3d456df66e4aed466f7a2af3d184aa6d52079d4779",
        "entities-2": "a2f99122d48c46881e809e97c22aacb197be344a12c7c8ade40607188648faa0",
        "entities-4": "0189ad5e2186aba9b9bf9b4582696ff9f91cda8569698c90e57da69cf8aff5b3"
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
        "generations": "60adac195c388e48c8d0519acb846a1fa2752c9732b825cb7469450e37ecc7c6",
        "entities-0": "65de486ee3522ddb4973b34b87e8c59e5aadcf198702b99505eeef612895137b",
        "entities-2": "c7f141f87a127cfe839f9218097f13ec5d95f529d6743e88d504e2c978c5e5f2",
        "entities-4": "d2887806198893cdca3c1a67536d0dfe1971796228baa199b51e0f02b7a1bc23"
    },
    "telephone/evolved": {
        "generations": "1ca5f2946770325903503f14c6ad7d5e36d534afbea0c86fc36fe6ac90771ab4",
        "entities-0": "fca5b2271781eefeff6cbf3d456df66e4aed466f7a2af3d184aa6d52079d4779",
        "entities-2": "f0ec3d3bebef505403ebc212bff143737eabbbf031e6e9b2bb4ed944a09c46f8",
        "entities-4": "0189ad5e2186aba9b9bf9b4582696ff9f91cda8569698c90e57da69cf8aff5b3"
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
