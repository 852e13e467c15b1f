"""Bad input to the spinal layer raises ValueError naming the parameter (never a silent NaN or a clamp)."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.models import spinal

NAN = float("nan")
T = np.linspace(0.0, 100.0, 5)
TRAIN = spinal.windup_train(0.5, 4)

CASES = [
    # wind-up
    ("frequency zero", lambda: spinal.windup(0.0, 10), "frequency_hz"),
    ("frequency negative", lambda: spinal.windup(-0.5, 10), "frequency_hz"),
    ("frequency NaN", lambda: spinal.windup(NAN, 10), "frequency_hz"),
    ("frequency too high", lambda: spinal.windup(50.0, 10), "frequency_hz"),
    ("frequency a string", lambda: spinal.windup("fast", 10), "frequency_hz"),
    ("frequency an array for one train", lambda: spinal.windup_train([0.5, 1.0], 10), "frequency_hz"),
    ("fold sweep with one bad frequency", lambda: spinal.windup_fold([0.5, 0.001], 10), "frequency_hz"),
    ("no stimuli", lambda: spinal.windup(0.5, 0), "n_stimuli"),
    ("fractional stimuli", lambda: spinal.windup(0.5, 2.5), "n_stimuli"),
    ("stimuli a bool", lambda: spinal.windup(0.5, True), "n_stimuli"),
    ("too many stimuli", lambda: spinal.windup(0.5, 10_000), "n_stimuli"),
    ("block above 1", lambda: spinal.windup(0.5, 10, 1.2), "block_fraction"),
    ("block negative", lambda: spinal.windup(0.5, 10, -0.1), "block_fraction"),
    ("block NaN", lambda: spinal.windup_fold(0.5, 10, NAN), "block_fraction"),
    ("params not a parameter set", lambda: spinal.windup(0.5, 10, params={"tau_s": 4}), "params"),
    ("zero time constant", lambda: spinal.WindupParams(tau_s=0.0), "tau_s"),
    ("NMDA share of 1", lambda: spinal.WindupParams(nmda_share=1.0), "nmda_share"),
    ("depolarised rest", lambda: spinal.WindupParams(v_rest_mv=10.0), "v_rest_mv"),
    ("slow EPSP past the ceiling", lambda: spinal.WindupParams(slow_epsp_mv=80.0), "slow_epsp_mv"),
    ("unknown evidence tag", lambda: spinal.WindupParams(evidence="measured"), "evidence"),
    ("fold zero", lambda: spinal.windup_label(0.0), "fold"),
    ("trace before the train", lambda: spinal.depolarisation_mv(TRAIN, [-1.0]), "t_s"),
    ("trace of something else", lambda: spinal.depolarisation_mv("train", [1.0]), "train"),
    ("max response of a dict", lambda: spinal.max_response({}), "params"),
    # sensitisation
    ("unsorted times", lambda: spinal.sensitisation_course([0.0, 2.0, 1.0]), "t_h"),
    ("empty times", lambda: spinal.sensitisation_course([]), "t_h"),
    ("negative drive", lambda: spinal.sensitisation_course(T, -1.0), "drive"),
    ("drive series of the wrong length", lambda: spinal.sensitisation_course(T, [1.0, 2.0]), "drive"),
    ("drive NaN inside a series", lambda: spinal.sensitisation_course(T, [1, 1, NAN, 1, 1]), "drive"),
    ("block series above 1", lambda: spinal.sensitisation_course(T, 1.0, [0, 0, 2, 0, 0]), "block_fraction"),
    ("start above 1", lambda: spinal.sensitisation_course(T, 1.0, 0.0, s0=1.5), "s0"),
    ("steady state of NaN drive", lambda: spinal.sensitisation_steady_state(NAN), "drive"),
    ("recovery half-time of negative drive", lambda: spinal.recovery_half_time_h(-1.0), "drive"),
    ("recovery half-time of huge drive", lambda: spinal.recovery_half_time_h(1e6), "drive"),
    ("recovery half-time with foreign params", lambda: spinal.recovery_half_time_h(1.0, params={}), "params"),
    ("steady state with negative block", lambda: spinal.sensitisation_steady_state(1.0, -0.2), "block_fraction"),
    ("zero build-up time", lambda: spinal.SensitisationParams(tau_up_h=0.0), "tau_up_h"),
    ("course with foreign params", lambda: spinal.sensitisation_course(T, params=object()), "params"),
    ("pulse ending at 0", lambda: spinal.pulse_schedule(0.0, 0.0, 10.0, 0.5), "t_end_h"),
    ("pulse starting after the end", lambda: spinal.pulse_schedule(100.0, 200.0, 10.0, 0.5), "start_h"),
    ("pulse of negative length", lambda: spinal.pulse_schedule(100.0, 10.0, -1.0, 0.5), "duration_h"),
    ("pulse level above 1", lambda: spinal.pulse_schedule(100.0, 10.0, 5.0, 1.5), "level"),
    # stimulus–response
    ("stimulus above the scale", lambda: spinal.pain_rating(11.0, 0.5), "stimulus"),
    ("stimulus negative", lambda: spinal.pain_rating([-1.0, 2.0], 0.5), "stimulus"),
    ("sensitisation above 1", lambda: spinal.pain_rating(5.0, 1.5), "sensitisation"),
    ("sensitisation NaN", lambda: spinal.pain_threshold(NAN), "sensitisation"),
    ("response block negative", lambda: spinal.pain_rating(5.0, 0.5, -0.1), "block_fraction"),
    ("gain block above 1", lambda: spinal.transmission_gain(0.5, 2.0), "block_fraction"),
    ("zero scale", lambda: spinal.StimulusResponseParams(scale=0.0), "scale"),
    ("zero threshold", lambda: spinal.StimulusResponseParams(threshold=0.0), "threshold"),
    ("response with foreign params", lambda: spinal.pain_rating(5.0, params=1), "params"),
]


@pytest.mark.parametrize("call, param", [(c, p) for _, c, p in CASES], ids=[name for name, _, _ in CASES])
def test_bad_input_raises_value_error_naming_the_parameter(call, param):
    """Each bad value is rejected with a ValueError whose message names the offending parameter."""
    with pytest.raises(ValueError, match=param):
        call()


PANEL_CASES = [
    ("windup_train", {"frequency_hz": 5.0}, "frequency_hz"),
    ("windup_train", {"n_stimuli": 21}, "n_stimuli"),
    ("windup_train", {"block_fraction": 0.95}, "block_fraction"),
    ("stimulus_response", {"sensitisation": -0.1}, "sensitisation"),
    ("sensitisation_course", {"infusion_h": 0.5}, "infusion_h"),
    ("sensitisation_course", {"drive": float("nan")}, "drive"),
]


@pytest.mark.parametrize("panel, values, param", PANEL_CASES,
                         ids=[f"{p}-{next(iter(v))}" for p, v, _ in PANEL_CASES])
def test_panels_reject_values_their_sliders_cannot_take(panel, values, param):
    """A student-facing panel refuses out-of-range settings (rather than silently clamping them)."""
    from helpers.panels import spinal as P

    p = P.PANELS[panel]()
    with pytest.raises(ValueError, match=param):
        p.set(**values)


def test_unknown_preset_is_rejected():
    """A misspelt preset names the parameter and the choices."""
    from helpers.panels import spinal as P

    with pytest.raises(ValueError, match="preset"):
        P.windup_train("dickenson_1987")
