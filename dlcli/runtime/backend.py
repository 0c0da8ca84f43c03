"""Everything dlcli does with the backend itself (TensorFlow or JAX), in one place.

The rest of the package speaks Keras only. What Keras does not cover — which devices
exist, memory growth, op determinism, gradients outside fit(), the errors a backend
raises, joining a multi-process job, splitting a batch over local devices — is here,
one function per need, each with a branch per backend. A feature a backend cannot do
is refused here by name, with the reason. (A torch branch would be one more per
function.) Backends are imported inside the functions, after `runtime.bootstrap` chose one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dlcli.errors import BackendError, DeviceError, DlcliError, first_line
from dlcli.runtime.bootstrap import CPU_DEVICES_ENV, active_backend, import_keras

JOIN_TIMEOUT = 120  # seconds for every process of a job to reach the coordinator
HEARTBEAT_TIMEOUT = 30  # seconds of silence after which a job's process counts as dead
JOIN_ABORT_LATER = 30  # JAX aborts (SIGABRT) at its own join timeout: set it this much later


@dataclass(frozen=True)
class Job:
    """One process's place in a data-parallel job (`--processes`, `--coordinator`);
    `SOLO` for a training in one process, so every caller can ask a job its size."""

    coordinator: str | None = None  # host:port of process 0's coordination service
    num_processes: int = 1
    process_id: int = 0

    @property
    def writes(self) -> bool:
        """Process 0 alone writes the run directory."""
        return self.process_id == 0

    @property
    def joined(self) -> bool:
        """This process is one of several that must reach a coordinator."""
        return self.coordinator is not None


SOLO = Job()


def name() -> str:
    """The backend Keras runs on in this process (importing Keras if needed)."""
    return active_backend() or import_keras().backend.backend()


def versions() -> dict[str, str]:
    """The backend libraries' versions, for env.json."""
    keras = import_keras()
    found = {"backend": name(), "keras": keras.__version__}
    if name() == "tensorflow":
        import tensorflow as tf

        found["tensorflow"] = tf.__version__
    else:
        import jax
        import jaxlib

        found.update(jax=jax.__version__, jaxlib=jaxlib.__version__)
    return found


def seed_everything(seed: int) -> None:
    """Same seed, same initial weights, same shuffles: Python, NumPy and the backend."""
    import_keras().utils.set_random_seed(seed)


def select_device(requested: str) -> str:
    """Use `requested` (auto | cpu | gpu); return a description ("cpu", "gpu (1: ...)")."""
    gpus = _gpus()
    if requested == "gpu" and not gpus:
        raise DeviceError(
            f"train.device is 'gpu' but the {name()} backend sees no GPU on this machine; "
            "use device: auto or cpu (GPU support: pip install 'dlcli[gpu]' for "
            "TensorFlow, a CUDA build of jax for JAX)"
        )
    if requested == "cpu" or not gpus:
        _hide_gpus(gpus)
        return "cpu"
    return f"gpu ({len(gpus)}: {', '.join(gpus)})"


def _gpus() -> list[str]:
    if name() == "tensorflow":
        import tensorflow as tf

        _split_cpu_tensorflow(tf)
        gpus = tf.config.list_physical_devices("GPU")
        for gpu in gpus:
            # Take GPU memory as needed instead of all of it at start; a GPU already
            # initialised (a second run in this process) keeps its setting.
            with contextlib.suppress(RuntimeError):
                tf.config.experimental.set_memory_growth(gpu, True)
        return [g.name for g in gpus]
    import jax

    try:  # JAX's counterpart of memory growth is XLA_PYTHON_CLIENT_PREALLOCATE (runtime)
        return [f"{d.platform}:{d.id} {d.device_kind}" for d in jax.devices("gpu")]
    except RuntimeError:  # no GPU platform in this jaxlib / on this machine
        return []


def _hide_gpus(gpus: list[str]) -> None:
    if gpus and name() == "tensorflow":
        import tensorflow as tf

        tf.config.set_visible_devices([], "GPU")
    elif gpus:  # the GPU platform is started already; new arrays go to the CPU
        import jax

        jax.config.update("jax_default_device", jax.devices("cpu")[0])


def _split_cpu_tensorflow(tf) -> None:
    count = int(os.environ.get(CPU_DEVICES_ENV, "1") or 1)
    cpu = tf.config.list_physical_devices("CPU")[0]
    if count > 1 and len(tf.config.get_logical_device_configuration(cpu) or []) != count:
        with contextlib.suppress(RuntimeError):  # already initialised: keep what it has
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
            )


def device_names() -> list[str]:
    """Every device the model runs on in this process (all processes', for a JAX job)."""
    if name() == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_logical_devices("GPU")
        return [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
    import jax

    return [f"{d.platform}:{d.id} {d.device_kind} (process {d.process_index})"
            for d in jax.devices()]  # fmt: skip


def set_determinism(on: bool, device: str) -> None:
    """Bit-identical reruns. TensorFlow: op determinism (off again when not asked, so a
    run in the same process never inherits it). JAX on CPU is deterministic as it is;
    on a GPU it needs an XLA flag set before start-up, which dlcli does not do yet."""
    if name() == "tensorflow":
        import tensorflow as tf
        from tensorflow.python.framework import config as tf_config

        if on:
            tf.config.experimental.enable_op_determinism()
        elif tf_config.is_op_determinism_enabled():  # no public switch back
            tf_config.disable_op_determinism()
    elif on and device.startswith("gpu"):
        raise BackendError(
            "train.deterministic on the jax backend is supported on the CPU only (a GPU "
            "needs XLA_FLAGS=--xla_gpu_deterministic_ops=true before jax starts); "
            "use device: cpu, the tensorflow backend, or deterministic: false"
        )


@contextlib.contextmanager
def translated_errors(kind: type[DlcliError], what: str) -> Iterator[None]:
    """The one place Keras's and the backend's errors about a model and its data become
    dlcli's: `kind` with "WHAT: the first line of the backend's message"."""
    try:
        yield
    except model_errors() as error:
        raise kind(f"{what}: {first_line(error)}") from None


def model_errors() -> tuple[type[BaseException], ...]:
    """What Keras and the backend raise when a model and its data do not fit (a shape,
    an index outside an Embedding's vocabulary): the user's to fix, not a dlcli bug."""
    if name() == "tensorflow":
        import tensorflow as tf

        return (ValueError, TypeError, tf.errors.InvalidArgumentError)
    import jax

    return (ValueError, TypeError, jax.errors.JaxRuntimeError)


def gradient_norms(model, x, y, kernels: list) -> list[float]:
    """||d loss / d kernel|| on (x, y) for each of `kernels` (model variables), with
    dropout off (training=False), so every measurement sees the same network."""
    if name() == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            predictions = model(x, training=False)
            loss = model.compute_loss(x=x, y=y, y_pred=predictions, training=False)
        gradients = tape.gradient(loss, kernels)
        return [float(tf.norm(g)) if g is not None else 0.0 for g in gradients]
    return _jax_gradient_norms(model, x, y, kernels)


def _jax_gradient_norms(model, x, y, kernels: list) -> list[float]:
    import jax
    import jax.numpy as jnp

    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    metrics = [v.value for v in model.metrics_variables]

    def loss_of(values):
        loss, _ = model.compute_loss_and_updates(
            values, non_trainable, metrics, x, y, None, training=False
        )
        return loss

    gradients = jax.grad(loss_of)(trainable)
    position = {id(v): i for i, v in enumerate(model.trainable_variables)}
    return [
        float(jnp.linalg.norm(gradients[position[id(k)]])) if id(k) in position else 0.0
        for k in kernels
    ]


def distribution_scope(distribute: str, job: Job = SOLO) -> Any:
    """A context to build and compile the model in: one replica per local device
    (train.distribute: mirrored), data-parallel over a job's processes, or neither."""
    if job.joined or (distribute == "mirrored" and name() == "jax"):
        keras = import_keras()
        devices = keras.distribution.list_devices()
        # Each process feeds its own shard (distributed.shard); Keras must not re-shard.
        parallel = keras.distribution.DataParallel(devices=devices, auto_shard_dataset=False)
        keras.distribution.set_distribution(parallel)
        return contextlib.nullcontext()
    if name() == "jax":  # no distribution left over from an earlier run in this process
        import_keras().distribution.set_distribution(None)
    if distribute == "mirrored":
        import tensorflow as tf

        return tf.distribute.MirroredStrategy().scope()
    return contextlib.nullcontext()


def replica_count(model, distribute: str) -> int:
    """How many replicas share every batch under train.distribute: mirrored (else 1)."""
    if distribute != "mirrored":
        return 1
    if name() == "tensorflow":
        return int(model.distribute_strategy.num_replicas_in_sync)
    return len(import_keras().distribution.list_devices())


def join_job(job: Job) -> None:
    """Join a JAX data-parallel job: connect to the coordinator (process 0), with gloo
    collectives on the CPU. TensorFlow cannot do this with Keras 3 (see `refuse_processes`)."""
    if name() != "jax":
        refuse_processes()
    import jax

    from dlcli.runtime.joining import check_coordinator_port, join_deadline

    if job.process_id == 0:
        check_coordinator_port(job.coordinator)  # a taken port crashed JAX's service
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    try:
        with join_deadline(job.coordinator, job.process_id, job.num_processes, JOIN_TIMEOUT):
            jax.distributed.initialize(
                coordinator_address=job.coordinator,
                num_processes=job.num_processes,
                process_id=job.process_id,
                # Bounded waits, so a dead or missing peer ends the job rather than hangs
                # it: for the others to join (JAX's own abort comes after join_deadline's
                # message), for a silent peer, and at the final barrier.
                initialization_timeout=JOIN_TIMEOUT + JOIN_ABORT_LATER,
                heartbeat_timeout_seconds=HEARTBEAT_TIMEOUT,
                shutdown_timeout_seconds=HEARTBEAT_TIMEOUT,
            )
    except (RuntimeError, ValueError) as error:
        from dlcli.errors import DistributedError, first_line

        raise DistributedError(
            f"process {job.process_id} could not join the job at {job.coordinator}: "
            f"{first_line(error)}"
        ) from None


def refuse_processes() -> None:
    raise BackendError(
        "training across processes needs the jax backend: with TensorFlow, Keras 3's "
        "fit() fails under MultiWorkerMirroredStrategy (keras-team/keras#20585). Use "
        "--backend jax (pip install \"dlcli[jax]\"); for several GPUs on one host, "
        "train.distribute: mirrored works on TensorFlow"
    )
