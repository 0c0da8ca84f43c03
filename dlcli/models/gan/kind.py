"""The GAN's model kind: how a generator-discriminator pair trains, saves and predicts.

See the package's docstring for what differs from a model trained on labels; each
method here is one of those differences (dlcli.models.kind.ModelKind says what each
one is for).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlcli.config.model_schema import ModelConfig
from dlcli.config.registries import MODEL_KIND_SCHEMAS
from dlcli.config.schema import CompileConfig, Config, TrainConfig
from dlcli.errors import DataError
from dlcli.models.kind import ModelKind, Stack
from dlcli.runs.rundir import RunDir
from dlcli.runs.space import saved_size
from dlcli.runtime.speed_policy import XlaDecision

DISCRIMINATOR_FILE = "discriminator.keras"  # beside model.keras (the generator)
MAX_SAMPLES = 10_000  # the most samples one `dlcli predict RUN N` draws


class GanKind(ModelKind):
    schema = MODEL_KIND_SCHEMAS["gan"]
    confusion_matrix = False  # it classifies nothing: real vs generated is its loss

    def build(self, model_cfg: ModelConfig):
        from dlcli.models.gan.network import build_gan

        return build_gan(model_cfg)

    def compile(self, model: Any, compile_cfg: CompileConfig, train_cfg: TrainConfig) -> None:
        from dlcli.models.gan.network import compile_gan

        compile_gan(model, compile_cfg, train_cfg.steps_per_execution)

    def xla_decision(self) -> XlaDecision:
        return XlaDecision(False, "XLA off: a GAN's two-optimizer step is not compiled", "gan")

    def callbacks(self, run: RunDir, model_cfg: ModelConfig) -> list:
        """plots/samples_epoch_NNN.png: the same noise, epoch after epoch."""
        from dlcli.models.gan.samples import sample_grid_callback

        return [sample_grid_callback(run, model_cfg.latent_dim, 0)]

    def build_optimizer_state(self, model: Any) -> None:
        model.build_optimizers()  # one optimizer per network

    def save_model(self, run: RunDir, model: Any) -> None:
        run.save_with(DISCRIMINATOR_FILE, model.discriminator.save,
                      saved_size(model.discriminator))  # fmt: skip
        super().save_model(run, model.generator)  # model.keras: what predict samples from

    def refuse_evaluation(self, run_path: Path) -> None:
        raise DataError(
            f"{run_path} is a GAN: it has no accuracy to re-evaluate (model.keras is its "
            f"generator); its losses are in history.json and its samples come from "
            f"`dlcli predict {run_path} 16`"
        )

    def generated_rows(
        self, model: Any, config: Config, inputs: list[str], run_path: Path
    ) -> list[dict[str, Any]]:
        """`predict RUN N` draws N samples (values flattened; -o to save them)."""
        from dlcli.models.gan.samples import generate

        if len(inputs) != 1 or not inputs[0].isdigit() or not 0 < int(inputs[0]) <= MAX_SAMPLES:
            raise DataError(
                f"{run_path} is a GAN: give how many samples to generate (1 to 10000), "
                f"e.g. `dlcli predict {run_path} 16 -o samples.json`, not {inputs!r}"
            )
        samples = generate(model, config.model.latent_dim, int(inputs[0]), config.seed)
        return [{"input": f"sample {i + 1}", "values": [float(v) for v in s.reshape(-1)]}
                for i, s in enumerate(samples)]  # fmt: skip

    def stacks(self, model_cfg: ModelConfig) -> list[Stack]:
        assert model_cfg.generator is not None and model_cfg.discriminator is not None
        return [
            Stack("generator", [model_cfg.latent_dim], model_cfg.generator),
            Stack("discriminator", list(model_cfg.input_shape), model_cfg.discriminator),
        ]

    def logged_values(self, compile_cfg: CompileConfig) -> list[str]:
        return ["d_loss", "g_loss"]

    def fit_problems(self, loaded, x, y, num_classes) -> list:
        return []  # its loss is its own (real vs generated), not the labels'

    def size_text(self, model_cfg: ModelConfig) -> str:
        assert model_cfg.generator is not None and model_cfg.discriminator is not None
        return f"a GAN: {len(model_cfg.generator)} + {len(model_cfg.discriminator)} layers"
