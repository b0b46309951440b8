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
        "generations": "3e23e63ca277b0a3034caf73c297468b5d46c4f10a49d4e4d868e681ea160f23",
        "entities-0": "afcf32954822ac0a36d7d376f95522e8b6f31710f38e39ff9976721cb6fb318e",
        "entities-2": "97e382ce84e1ea5cddb8b9429c35c06bdf90f1b9a834553c0a1449c7ee0dcfa6",
        "entities-4": "9fc9a721ef5f6645f05d130a7d24eb95500e42ebb127e116fd7cd1dd5e6c7bf8"
    },
    "deception/evolved": {
        "generations": "89181f6a2539029a2bf49a234671df85f33ebfc3930849a21913029ebc057c6e",
        "entities-0": "c4e50b1c81e7a8cecf0e6cd9df55a0e99c2d772dc781da8b88c303e8eab42da8",
        "entities-2": "0517c83bc0f3992bf2b81666df7a0290b67917f46738259150410d8a1f2b19e6",
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
        "generations": "fbefae544b3cdf6dfa1025af27fedb1e44d174218777d48a5edcece241c18087",
        "entities-0": "afcf32954822ac0a36d7d376f95522e8b6f31710f38e39ff9976721cb6fb318e",
        "entities-2": "97e382ce84e1ea5cddb8b9429c35c06bdf90f1b9a834553c0a1449c7ee0dcfa6",
        "entities-4": "f0f38a5d3c0ca13f15c34fca57e0930af019d7fd2a911a0df99baa5df7e461eb"
    },
    "telephone/evolved": {
        "generations": "ba7f60fa740b51f363405d27ae4b40d5ee2be0c634409e8a4d8cd0a5a18886c3",
        "entities-0": "c4e50b1c81e7a8cecf0e6cd9df55a0e99c2d772dc781da8b88c303e8eab42da8",
        "entities-2": "a46d245484ddfdd96cc2e3e543d37606a956cbdc4b764ba44f3504b9c86112dc",
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
