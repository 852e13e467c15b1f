"""Spinal (dorsal-horn) layer: wind-up, a slow central-sensitisation state, and the stimulus–response curve.

Three pieces, each a pure function of its inputs (facts sheet §3, addendum §8):

* :func:`windup` — the response of a wide-dynamic-range neuron to each stimulus of a C-fibre train.
  Every stimulus leaves a slow NMDA-dependent depolarisation that decays between stimuli and sums when
  stimuli come faster than it decays; the depolarisation relieves the Mg2+ block (Jahr & Stevens 1990, via
  :func:`helpers.models.receptor.mg_unblocked_fraction`), which lets more NMDA current through, which
  depolarises further (positive feedback, the structure Britton, Chaplain & Skevington 1996 proposed; we checked
  the citation, not their equations).
  Response per stimulus = fixed non-NMDA (AMPA) part + NMDA part ∝ (1 − block) × B(V).
  Responses are **normalised: the first response of the undrugged neuron = 1**.
* :func:`sensitisation_course` / :func:`sensitisation_steady_state` — a slow state S in [0, 1] (hours to
  weeks), dS/dt = drive·(1 − block)·(1 − S)/τ_up − S/τ_down, with drive and block as time series.
* :func:`pain_rating` — pain rating 0–10 against stimulus intensity 0–10: sensitisation multiplies the
  transmission gain, so the curve shifts left (allodynia: the pain threshold falls into the innocuous range)
  and gets steeper (hyperalgesia); NMDA block turns the sensitised gain back down and leaves the normal
  curve alone. That last part matches the *low* doses of Ilkjaer 1996 only (brief heat pain in normal skin
  unchanged); higher plasma levels do relieve acute experimental pain (Simons 2022, C50 ≈ 285–404 ng/mL;
  Sigtermans 2009), which this layer does not model.

Evidence: the Mg2+ block, the NMDA reversal potential and the frequency threshold (none at 0.1 Hz, clear at
>= 0.33 Hz; Vierck 1997, Staud 2007) are *cited*; the time constant, the slow depolarisation per stimulus and
the NMDA share are *assumed* and tuned so the threshold lands there; the fold of wind-up (2.7–4.6x over
16 stimuli at 0.5–2 Hz here) is an *assumption*, inside a 2–10x range that is itself our assumption (addendum
§8 suggestion, [U]/[D]; no published fold was confirmed); everything in the sensitisation state and the
stimulus–response curve is *illustrative*. Teaching material, not dosing advice.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from ..vocab import EVIDENCE_LABELS
from .receptor import mg_unblocked_fraction

__all__ = [
    "WindupParams",
    "WINDUP",
    "WindupTrain",
    "windup",
    "windup_train",
    "windup_fold",
    "windup_label",
    "depolarisation_mv",
    "max_response",
    "SensitisationParams",
    "SENSITISATION",
    "sensitisation_course",
    "sensitisation_steady_state",
    "StimulusResponseParams",
    "STIMULUS_RESPONSE",
    "transmission_gain",
    "rating",
    "GAIN_MAX",
    "pain_threshold",
    "pain_rating",
    "PAIN_THRESHOLD",
    "TOUCH_STIMULUS",
    "PAINFUL_STIMULUS",
    "NO_WINDUP_BELOW",
    "CLEAR_WINDUP_FROM",
    "HUMAN_NO_SUMMATION_HZ",
    "HUMAN_SUMMATION_HZ",
    "CONTROL_HZ",
    "recovery_half_time_h",
    "pulse_schedule",
]

# ---------------------------------------------------------------------------------------------------------
# Wind-up
# ---------------------------------------------------------------------------------------------------------

#: Fold (last / first response) below which a train counts as "no wind-up": within 10% of the first
#: response, the criterion the tests use for 0.1 Hz. Our choice.
NO_WINDUP_BELOW = 1.1
#: Fold from which a train counts as "clear wind-up". Our choice.
CLEAR_WINDUP_FROM = 1.5

#: Human temporal summation of second pain: none at 0.17 Hz (Staud 2007 [V]; Vierck 1997: only warmth below
#: 0.16 Hz [V]) and substantial from 0.33 Hz (Vierck 1997 [V]; Staud 2007 [V]). Cited.
HUMAN_NO_SUMMATION_HZ = 0.17
HUMAN_SUMMATION_HZ = 0.33

#: Low-frequency control train (Hz), where responses do not grow: below 0.16 Hz Vierck 1997's heat contacts
#: gave only late warmth, no summation [V]; rat wide-dynamic-range protocols follow the 0.5 Hz train with
#: 12 stimuli at 0.1 Hz as the low-frequency comparison (facts sheet §3, animal protocols [V]). Cited.
CONTROL_HZ = 0.1

#: Frequency range the model accepts (Hz). Slower than 0.01 Hz is not a train; faster than 20 Hz the
#: single-exponential slow potential is no longer a fair description.
FREQ_MIN_HZ, FREQ_MAX_HZ = 0.01, 20.0
#: Longest train the model accepts.
N_STIMULI_MAX = 200


@dataclass(frozen=True)
class WindupParams:
    """Parameters of the wind-up model (one wide-dynamic-range neuron, one C-fibre train).

    With the defaults: fold over 16 stimuli 1.02 at 0.1 Hz, 1.09 at 0.17 Hz, 1.7 at 0.33 Hz, 2.7 at 0.5 Hz,
    3.9 at 1 Hz, 4.6 at 2 Hz.

    Parameters
    ----------
    v_rest_mv : float
        Membrane potential before the train, −70 mV: *assumed* (a typical value).
    v_ceiling_mv : float
        The slow depolarisation cannot carry V past the NMDA reversal potential, ≈ 0 mV: *cited* (facts
        sheet §2 [V]).
    mg_mm : float
        Extracellular Mg2+, 1 mM: *cited* (the value most models use; facts sheet §2 [V]).
    tau_s : float
        Decay time constant of the slow depolarisation between stimuli, 4 s: *assumed*, tuned so wind-up is
        absent at 0.1 Hz and clear at >= 0.33 Hz (Vierck 1997 [V]; Staud 2007 [V]).
    slow_epsp_mv : float
        Slow depolarisation left by the first stimulus at rest, 15 mV: *assumed*, tuned with ``tau_s``.
    nmda_share : float
        Share of the first (undrugged) response carried by NMDA receptors, 0.25: *assumed*. It sets how much
        ketamine lowers the first response (0.25 × block) and, with the ceiling, the largest possible fold
        (about 5x).
    source : str
        Where the numbers come from.
    evidence : {"cited", "assumed", "illustrative"}
        Evidence label of the set as a whole.

    References
    ----------
    .. [1] ``jahr_stevens_1990``: Jahr & Stevens 1990 (Mg2+ block) [V].
    .. [2] ``vierck_1997``: Vierck et al. 1997 (temporal summation from 0.33 Hz) [V].
    .. [3] ``staud_2007``: Staud et al. 2007 (no summation at 0.17 Hz) [V].
    .. [4] ``britton_1996``: Britton, Chaplain & Skevington 1996 (positive-feedback structure).
    """

    v_rest_mv: float = -70.0
    v_ceiling_mv: float = 0.0
    mg_mm: float = 1.0
    tau_s: float = 4.0
    slow_epsp_mv: float = 15.0
    nmda_share: float = 0.25
    source: str = ("Mg2+ block: Jahr & Stevens 1990 [V]; E_NMDA 0 mV [V]; tau_s, slow_epsp_mv and nmda_share "
                   "tuned so wind-up is absent at 0.1 Hz and clear at >= 0.33 Hz (Vierck 1997; Staud 2007); "
                   "positive-feedback structure after Britton, Chaplain & Skevington 1996 (citation checked, "
                   "equations not); the Mg2+ relief is set by the membrane potential at each volley (assumed)")
    evidence: str = "assumed"

    def __post_init__(self):
        v.in_range(self.v_rest_mv, "v_rest_mv", -100.0, -40.0)
        v.in_range(self.v_ceiling_mv, "v_ceiling_mv", self.v_rest_mv + 1.0, 40.0)
        v.in_range(self.mg_mm, "mg_mm", 0.0, 10.0)
        v.in_range(self.tau_s, "tau_s", 0.01, 1000.0)
        v.in_range(self.slow_epsp_mv, "slow_epsp_mv", 0.0, self.v_ceiling_mv - self.v_rest_mv,
                   high_open=True)
        v.in_range(self.nmda_share, "nmda_share", 0.0, 1.0, high_open=True)
        v.choice(self.evidence, "evidence", EVIDENCE_LABELS)

    @property
    def span_mv(self) -> float:
        """Room for depolarisation, from rest to the ceiling (mV)."""
        return self.v_ceiling_mv - self.v_rest_mv

    @property
    def b_rest(self) -> float:
        """Fraction of NMDA channels free of Mg2+ at rest (0.044 at −70 mV, 1 mM)."""
        return mg_unblocked_fraction(self.v_rest_mv, self.mg_mm)

    @property
    def charge_at_full_unblock(self) -> float:
        """Dimensionless NMDA drive per stimulus with no Mg2+ block and no drug.

        Chosen so that the first stimulus at rest leaves ``slow_epsp_mv``:
        span·(1 − exp(−c·B_rest)) = slow_epsp_mv.
        """
        return -np.log1p(-self.slow_epsp_mv / self.span_mv) / self.b_rest

    @property
    def nmda_gain(self) -> float:
        """Scale of the NMDA part so that the undrugged first response is exactly 1."""
        return self.nmda_share / self.b_rest


#: The default (teaching) parameter set.
WINDUP = WindupParams()


@dataclass(frozen=True)
class WindupTrain:
    """A simulated train. Responses are normalised (first undrugged response = 1).

    Parameters
    ----------
    frequency_hz : float
        Stimulation frequency (Hz).
    block_fraction : float
        Fraction of NMDA channels blocked by ketamine (0-1).
    stimulus : numpy.ndarray
        Stimulus numbers 1 .. n.
    t_s : numpy.ndarray
        Time of each stimulus (s), the first at 0.
    v_mv : numpy.ndarray
        Membrane potential just before each stimulus (mV).
    mg_unblocked : numpy.ndarray
        Fraction of NMDA channels free of Mg2+ at each stimulus, B(V).
    ampa : numpy.ndarray
        Non-NMDA part of each response.
    nmda : numpy.ndarray
        NMDA part of each response.
    response : numpy.ndarray
        ``ampa + nmda``.
    depol_after_mv : numpy.ndarray
        Slow depolarisation just after each stimulus (mV above rest).
    params : WindupParams
        The parameters used.
    """

    frequency_hz: float
    block_fraction: float
    stimulus: np.ndarray        # 1 .. n
    t_s: np.ndarray             # time of each stimulus (s), first at 0
    v_mv: np.ndarray            # membrane potential just before each stimulus (mV)
    mg_unblocked: np.ndarray    # B(V) at each stimulus
    ampa: np.ndarray            # non-NMDA part of each response
    nmda: np.ndarray            # NMDA part of each response
    response: np.ndarray        # ampa + nmda
    depol_after_mv: np.ndarray  # slow depolarisation just after each stimulus (mV above rest)
    params: WindupParams

    @property
    def first(self) -> float:
        """Response to the first stimulus."""
        return float(self.response[0])

    @property
    def last(self) -> float:
        """Response to the last stimulus."""
        return float(self.response[-1])

    @property
    def fold(self) -> float:
        """Last response / first response of this train (same block)."""
        return self.last / self.first


def _check_windup(frequency_hz, n_stimuli, block_fraction, params):
    if not isinstance(params, WindupParams):
        raise ValueError(f"params must be a WindupParams, got {params!r}")
    n = v.integer(n_stimuli, "n_stimuli", 1, N_STIMULI_MAX)
    b = v.in_range(block_fraction, "block_fraction", 0.0, 1.0)
    f = v.array(frequency_hz, "frequency_hz", low=FREQ_MIN_HZ, high=FREQ_MAX_HZ, ndim_max=1)
    return f, n, b


def _iterate(f_hz: np.ndarray, n: int, block: float, p: WindupParams):
    """Run the train map for every frequency in ``f_hz`` at once; arrays of shape (n, len(f))."""
    f = np.atleast_1d(f_hz)
    decay = np.exp(-1.0 / (f * p.tau_s))            # fraction of the slow potential left at the next stimulus
    charge = p.charge_at_full_unblock * (1.0 - block)
    span = p.span_mv
    d = np.zeros_like(f)                            # slow depolarisation above rest, just before a stimulus
    b_seq = np.empty((n, f.size))
    d_seq = np.empty((n, f.size))
    after = np.empty((n, f.size))
    for k in range(n):
        b_now = mg_unblocked_fraction(p.v_rest_mv + d, p.mg_mm)
        b_seq[k] = b_now
        d_seq[k] = d
        # The NMDA current of one stimulus charges the membrane towards the ceiling (E_NMDA). The Mg2+ relief B
        # is held at its value just before the volley (an assumption of this map: the volley's unblock is set by
        # where the membrane sits when it arrives); with that, this is the exact solution of
        # dD/dt = g(t) B (span − D). Updating B continuously during the volley is a different model: with the
        # same charge the first stimulus would leave about 28 mV instead of 15, and 16 stimuli at 0.17 Hz would
        # grow 1.3-fold instead of 1.09 (tests/test_spinal.py measures both).
        d = d + (span - d) * (-np.expm1(-charge * b_now))
        after[k] = d
        d = d * decay                               # exact decay between stimuli: dD/dt = −D/τ
    return b_seq, d_seq, after


def windup_train(frequency_hz, n_stimuli, block_fraction=0.0, params: WindupParams = WINDUP) -> WindupTrain:
    """Simulate one train of C-fibre stimuli with NMDA block.

    Parameters
    ----------
    frequency_hz : float
        Stimulation frequency (Hz), in [0.01, 20].
    n_stimuli : int
        Number of stimuli, 1 to 200.
    block_fraction : float
        Fraction of NMDA channels blocked by ketamine, in [0, 1] (the receptor layer gives it from a
        concentration).
    params : WindupParams
        Model parameters.

    Returns
    -------
    WindupTrain
        The train; responses are normalised so that the first response without drug is 1.

    References
    ----------
    .. [1] ``jahr_stevens_1990``: Jahr & Stevens 1990 (Mg2+ block) [V].
    .. [2] ``vierck_1997``: Vierck et al. 1997 (frequency threshold of temporal summation) [V].
    """
    f, n, b = _check_windup(frequency_hz, n_stimuli, block_fraction, params)
    if f.ndim != 0:
        raise ValueError(f"frequency_hz must be a single number here (use windup_fold for many), got {f!r}")
    p = params
    b_seq, d_seq, after = (a[:, 0] for a in _iterate(f, n, b, p))
    ampa = np.full(n, 1.0 - p.nmda_share)
    nmda = p.nmda_gain * (1.0 - b) * b_seq
    return WindupTrain(frequency_hz=float(f), block_fraction=b, stimulus=np.arange(1, n + 1),
                       t_s=np.arange(n) / float(f), v_mv=p.v_rest_mv + d_seq, mg_unblocked=b_seq,
                       ampa=ampa, nmda=nmda, response=ampa + nmda, depol_after_mv=after, params=p)


def windup(frequency_hz, n_stimuli, block_fraction=0.0, params: WindupParams = WINDUP) -> np.ndarray:
    """Response to each stimulus of a train.

    Parameters
    ----------
    frequency_hz : float
        Stimulation frequency (Hz), in [0.01, 20].
    n_stimuli : int
        Number of stimuli, 1 to 200.
    block_fraction : float
        Fraction of NMDA channels blocked, in [0, 1].
    params : WindupParams
        Model parameters.

    Returns
    -------
    numpy.ndarray
        ``n_stimuli`` responses, normalised so that the first response of the undrugged neuron is 1 (think
        "spikes per stimulus relative to the first").
    """
    return windup_train(frequency_hz, n_stimuli, block_fraction, params).response


def windup_fold(frequency_hz, n_stimuli, block_fraction=0.0, params: WindupParams = WINDUP):
    """Wind-up fold: last / first response of a train, vectorised over frequency.

    Parameters
    ----------
    frequency_hz : float or array_like
        Stimulation frequencies (Hz), in [0.01, 20], at most 1-D.
    n_stimuli : int
        Number of stimuli, 1 to 200.
    block_fraction : float
        Fraction of NMDA channels blocked, in [0, 1].
    params : WindupParams
        Model parameters.

    Returns
    -------
    float or numpy.ndarray
        The fold (a float for a scalar frequency).
    """
    f, n, b = _check_windup(frequency_hz, n_stimuli, block_fraction, params)
    b_seq, _d, _a = _iterate(f, n, b, params)
    ampa = 1.0 - params.nmda_share
    resp_first = ampa + params.nmda_gain * (1.0 - b) * b_seq[0]
    resp_last = ampa + params.nmda_gain * (1.0 - b) * b_seq[-1]
    out = resp_last / resp_first
    return float(out[0]) if f.ndim == 0 else out


def windup_label(fold) -> str:
    """Name a wind-up fold: "none" (< 1.1), "slight" (< 1.5) or "clear" (thresholds are our choice).

    Parameters
    ----------
    fold : float
        Last / first response (> 0).

    Returns
    -------
    str
        "none", "slight" or "clear".
    """
    x = v.positive(fold, "fold")
    if x < NO_WINDUP_BELOW:
        return "none"
    return "slight" if x < CLEAR_WINDUP_FROM else "clear"


def depolarisation_mv(train: WindupTrain, t_s) -> np.ndarray:
    """Slow depolarisation above rest (mV) during and after a train.

    Just before stimulus k it equals ``v_mv[k] − v_rest``; between stimuli it decays as exp(−Δt/τ).

    Parameters
    ----------
    train : WindupTrain
        The simulated train.
    t_s : float or array_like
        Times (s, >= 0) since the first stimulus.

    Returns
    -------
    numpy.ndarray
        Depolarisation (mV) at each time; at a stimulus time, the value just after it.
    """
    if not isinstance(train, WindupTrain):
        raise ValueError(f"train must be a WindupTrain, got {train!r}")
    t = v.array(t_s, "t_s", low=0.0)
    idx = np.searchsorted(train.t_s, t, side="right") - 1    # last stimulus at or before t
    out = np.zeros_like(t)
    on = idx >= 0
    dt = t[on] - train.t_s[idx[on]]
    out[on] = train.depol_after_mv[idx[on]] * np.exp(-dt / train.params.tau_s)
    return out


def max_response(params: WindupParams = WINDUP) -> float:
    """Largest response the model can give (membrane held at the ceiling, no drug): an axis limit.

    Parameters
    ----------
    params : WindupParams
        Model parameters.

    Returns
    -------
    float
        The response, in units of the first undrugged response.
    """
    if not isinstance(params, WindupParams):
        raise ValueError(f"params must be a WindupParams, got {params!r}")
    b_top = mg_unblocked_fraction(params.v_ceiling_mv, params.mg_mm)
    return (1.0 - params.nmda_share) + params.nmda_gain * b_top


# ---------------------------------------------------------------------------------------------------------
# Central-sensitisation state
# ---------------------------------------------------------------------------------------------------------

#: Largest drive accepted (drive 1 = the reference level of ongoing nociceptive input).
DRIVE_MAX = 100.0


@dataclass(frozen=True)
class SensitisationParams:
    """Slow sensitisation state S in [0, 1] (all numbers *illustrative*).

    dS/dt = drive·(1 − block)·(1 − S)/τ_up − S/τ_down, t in hours. With the defaults, ongoing drive 1 settles
    at S ≈ 0.78 with a time constant of about 1.5 days; full block lets S fall with a time constant of a week.

    Parameters
    ----------
    tau_up_h : float
        Build-up time constant at drive 1 and no block, 48 h (sensitisation builds over days).
    tau_down_h : float
        Decay time constant without NMDA drive, 168 h (one week).
    source : str
        Where the structure comes from.
    evidence : {"cited", "assumed", "illustrative"}
        Evidence label.

    References
    ----------
    .. [1] ``woolf_2011``: Woolf 2011, central sensitisation (structure only).
    .. [2] ``mendell_2022``: Mendell 2022, the path to wind-up and central sensitisation.
    """

    tau_up_h: float = 48.0
    tau_down_h: float = 168.0
    source: str = ("illustrative; structure after the central-sensitisation literature (Woolf 2011, not in our "
                   "facts sheets; Mendell 2022)")
    evidence: str = "illustrative"

    def __post_init__(self):
        v.in_range(self.tau_up_h, "tau_up_h", 1e-3, 1e5)
        v.in_range(self.tau_down_h, "tau_down_h", 1e-3, 1e5)
        v.choice(self.evidence, "evidence", EVIDENCE_LABELS)


SENSITISATION = SensitisationParams()


def _series(values, name, n, low, high):
    arr = v.array(values, name, low=low, high=high, ndim_max=1)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.size != n:
        raise ValueError(f"{name} must be a number or an array as long as t_h ({n}), got length {arr.size}")
    return arr


def sensitisation_course(t_h, drive=1.0, block_fraction=0.0, s0=0.0,
                         params: SensitisationParams = SENSITISATION) -> np.ndarray:
    """Sensitisation S(t) under ongoing drive and NMDA block.

    Between samples the inputs are taken as linear; each interval is solved exactly for the mean input over
    the interval (second-order accurate; exact for constant inputs).

    Parameters
    ----------
    t_h : array_like
        Times (h), 1-D, non-decreasing.
    drive : float or array_like
        Ongoing nociceptive input (>= 0, 1 = reference), a number or an array as long as ``t_h``.
    block_fraction : float or array_like
        NMDA block in [0, 1], a number or an array as long as ``t_h`` (e.g. a block time series from the PK
        and receptor layers).
    s0 : float
        S at ``t_h[0]``, in [0, 1].
    params : SensitisationParams
        Time constants (illustrative).

    Returns
    -------
    numpy.ndarray
        S in [0, 1] at each time.
    """
    t = v.time_array(t_h, "t_h")
    n = t.size
    d = _series(drive, "drive", n, 0.0, DRIVE_MAX)
    b = _series(block_fraction, "block_fraction", n, 0.0, 1.0)
    s = v.fraction(s0, "s0")
    if not isinstance(params, SensitisationParams):
        raise ValueError(f"params must be a SensitisationParams, got {params!r}")
    u = d * (1.0 - b) / params.tau_up_h                # up-rate at each sample (1/h)
    u_mid = 0.5 * (u[1:] + u[:-1])
    rate = u_mid + 1.0 / params.tau_down_h
    target = u_mid / rate
    keep = np.exp(-rate * np.diff(t))
    out = np.empty(n)
    out[0] = s
    # A linear recurrence with varying coefficients: a plain loop over floats is ~1 ms for 2,000 points.
    for i, (k, tg) in enumerate(zip(keep.tolist(), target.tolist(), strict=True), start=1):
        s = tg + (s - tg) * k
        out[i] = s
    return out


def pulse_schedule(t_end_h, start_h, duration_h, level, n=2000):
    """Times (h) and a rectangular input (e.g. NMDA block during an infusion) for :func:`sensitisation_course`.

    Parameters
    ----------
    t_end_h : float
        End of the time grid (h, > 0).
    start_h : float
        Start of the pulse (h), in [0, t_end_h].
    duration_h : float
        Length of the pulse (h, >= 0); cut at ``t_end_h``.
    level : float
        Input during the pulse, in [0, 1].
    n : int
        Evenly spaced times on [0, t_end_h], 2 to 100,000.

    Returns
    -------
    t_h, values : numpy.ndarray
        The grid plus the start and stop times, each twice (so the step is exact under the
        linear-between-samples rule), and ``level`` between start and stop, 0 elsewhere.
    """
    t_end = v.positive(t_end_h, "t_end_h")
    start = v.in_range(start_h, "start_h", 0.0, t_end)
    dur = v.nonnegative(duration_h, "duration_h")
    lev = v.fraction(level, "level")
    n = v.integer(n, "n", 2, 100_000)
    stop = min(start + dur, t_end)
    grid = np.linspace(0.0, t_end, n)
    inner = grid[(grid > start) & (grid < stop)]
    before = grid[grid < start]
    after = grid[grid > stop]
    t = np.concatenate([before, [start, start], inner, [stop, stop], after])
    vals = np.concatenate([np.zeros(before.size), [0.0, lev], np.full(inner.size, lev), [lev, 0.0],
                           np.zeros(after.size)])
    return t, vals


def recovery_half_time_h(drive=1.0, params: SensitisationParams = SENSITISATION):
    """Time (h) for S to regain half of any drop once the NMDA block has ended, at constant drive.

    With no block, dS/dt = drive·(1 − S)/τ_up − S/τ_down is linear in S, so S returns to S* exponentially at
    rate r = drive/τ_up + 1/τ_down: t½ = ln 2 / r, the same whatever the depth of the drop (so whatever the
    length of the infusion that caused it).

    Parameters
    ----------
    drive : float or array_like
        Ongoing nociceptive input, in [0, 100].
    params : SensitisationParams
        Time constants (illustrative).

    Returns
    -------
    float or numpy.ndarray
        The half-time (h); illustrative, as the time constants are (about 1.1 days at drive 1).
    """
    d = v.array(drive, "drive", low=0.0, high=DRIVE_MAX)
    if not isinstance(params, SensitisationParams):
        raise ValueError(f"params must be a SensitisationParams, got {params!r}")
    out = np.log(2.0) / (d / params.tau_up_h + 1.0 / params.tau_down_h)
    return float(out) if out.ndim == 0 else out


def sensitisation_steady_state(drive=1.0, block_fraction=0.0, params: SensitisationParams = SENSITISATION):
    """Long-time S for constant drive and block: S* = k / (1 + k) with k = drive·(1 − block)·τ_down/τ_up.

    Parameters
    ----------
    drive : float or array_like
        Ongoing nociceptive input, in [0, 100].
    block_fraction : float or array_like
        NMDA block, in [0, 1]; broadcasts with ``drive``.
    params : SensitisationParams
        Time constants (illustrative).

    Returns
    -------
    float or numpy.ndarray
        S* in [0, 1).
    """
    d = v.array(drive, "drive", low=0.0, high=DRIVE_MAX)
    b = v.array(block_fraction, "block_fraction", low=0.0, high=1.0)
    if not isinstance(params, SensitisationParams):
        raise ValueError(f"params must be a SensitisationParams, got {params!r}")
    k = d * (1.0 - b) * params.tau_down_h / params.tau_up_h
    out = k / (1.0 + k)
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------------------------------------------------
# Stimulus–response: hyperalgesia and allodynia
# ---------------------------------------------------------------------------------------------------------

#: Stimulus scale 0–10: innocuous below the pain threshold, noxious above (illustrative scale).
PAIN_THRESHOLD = 4.0
#: A light touch on that scale (innocuous), used to show allodynia.
TOUCH_STIMULUS = 2.0
#: A painful stimulus on that scale, used to show hyperalgesia.
PAINFUL_STIMULUS = 6.0


@dataclass(frozen=True)
class StimulusResponseParams:
    """Shape of the stimulus–response curve (all *illustrative*).

    rating = 10·(1 − exp(−max(0, G·x − threshold)/scale)), G = 1 + gain_max·S·(1 − block).

    Parameters
    ----------
    threshold : float
        Normal pain threshold on the 0–10 stimulus scale (4).
    scale : float
        How fast the rating climbs above threshold (3.7 gives 8/10 at the top of the normal curve).
    gain_max : float
        Extra transmission gain at full sensitisation (2: gain 3x at S = 1).
    source : str
        Where the shape comes from.
    evidence : {"cited", "assumed", "illustrative"}
        Evidence label.

    References
    ----------
    .. [1] ``woolf_2011``: Woolf 2011, central sensitisation (the shift and steepening, structure only).
    """

    threshold: float = PAIN_THRESHOLD
    scale: float = 3.7
    gain_max: float = 2.0
    source: str = ("illustrative; shift and steepening as described for central sensitisation (Woolf 2011, not "
                   "in our facts sheets)")
    evidence: str = "illustrative"

    def __post_init__(self):
        v.in_range(self.threshold, "threshold", 0.0, 10.0, low_open=True)
        v.in_range(self.scale, "scale", 0.01, 100.0)
        v.in_range(self.gain_max, "gain_max", 0.0, 100.0)
        v.choice(self.evidence, "evidence", EVIDENCE_LABELS)


STIMULUS_RESPONSE = StimulusResponseParams()


def _check_sr_params(params):
    if not isinstance(params, StimulusResponseParams):
        raise ValueError(f"params must be a StimulusResponseParams, got {params!r}")
    return params


def transmission_gain(sensitisation, block_fraction=0.0, params: StimulusResponseParams = STIMULUS_RESPONSE):
    """Gain of pain transmission in the dorsal horn, G = 1 + gain_max·S·(1 − block).

    The NMDA-dependent amplification is what sensitisation adds and what block removes; normal transmission
    (S = 0) is untouched by block here. That follows Ilkjaer 1996 at its low doses (0.15–0.30 mg/kg bolus,
    then 0.15–0.30 mg/kg/h: brief heat pain in normal skin unchanged) and is not true at higher plasma
    levels, which relieve acute experimental pain (Simons 2022: C50 1.2–1.7 nmol/mL ≈ 285–404 ng/mL;
    Sigtermans 2009: heat-pain analgesia). Those acute effects are outside this layer.

    Parameters
    ----------
    sensitisation : float or array_like
        Sensitisation S, in [0, 1].
    block_fraction : float or array_like
        NMDA block, in [0, 1]; broadcasts with ``sensitisation``.
    params : StimulusResponseParams
        Curve shape (illustrative).

    Returns
    -------
    float or numpy.ndarray
        G >= 1.

    References
    ----------
    .. [1] ``ilkjaer_1996``: Ilkjaer et al. 1996 (low-dose ketamine spares brief heat pain in normal skin) [V].
    .. [2] ``simons_2022_pd``: Simons et al. 2022, part 2 (acute analgesia at higher levels) [V].
    .. [3] ``sigtermans_2009_anesthesiology``: Sigtermans et al. 2009 (heat-pain analgesia) [V].
    """
    s = v.array(sensitisation, "sensitisation", low=0.0, high=1.0)
    b = v.array(block_fraction, "block_fraction", low=0.0, high=1.0)
    p = _check_sr_params(params)
    out = 1.0 + p.gain_max * s * (1.0 - b)
    return float(out) if out.ndim == 0 else out


def pain_threshold(sensitisation=0.0, block_fraction=0.0, params: StimulusResponseParams = STIMULUS_RESPONSE):
    """Stimulus intensity (0–10 scale) at which pain starts: threshold / G.

    Parameters
    ----------
    sensitisation : float or array_like
        Sensitisation S, in [0, 1].
    block_fraction : float or array_like
        NMDA block, in [0, 1].
    params : StimulusResponseParams
        Curve shape (illustrative).

    Returns
    -------
    float or numpy.ndarray
        The threshold on the 0–10 stimulus scale.
    """
    g = transmission_gain(sensitisation, block_fraction, params)
    return params.threshold / g


#: Largest total gain :func:`rating` accepts (spinal gain, at most 1 + gain_max, times a descending gain).
GAIN_MAX = 100.0


def rating(stimulus, gain=1.0, params: StimulusResponseParams = STIMULUS_RESPONSE):
    """Pain rating (0–10) of a stimulus passed through a total dorsal-horn gain.

    rating = 10·(1 − exp(−max(0, G·x − threshold)/scale)).

    Parameters
    ----------
    stimulus : float or array_like
        Stimulus intensity x on the 0–10 scale.
    gain : float or array_like
        Total gain G, in [0, GAIN_MAX]: the spinal gain of :func:`transmission_gain` (sensitisation, NMDA
        block) times the descending gain of :mod:`helpers.models.descending` (inhibition, facilitation);
        :mod:`helpers.models.pathway` composes them. Broadcasts with ``stimulus``.
    params : StimulusResponseParams
        Curve shape (illustrative).

    Returns
    -------
    float or numpy.ndarray
        Pain rating, 0–10.
    """
    x = v.array(stimulus, "stimulus", low=0.0, high=10.0)
    g = v.array(gain, "gain", low=0.0, high=GAIN_MAX)
    p = _check_sr_params(params)
    drive = np.maximum(0.0, g * x - p.threshold)
    out = 10.0 * -np.expm1(-drive / p.scale)
    return float(out) if out.ndim == 0 else out


def pain_rating(stimulus, sensitisation=0.0, block_fraction=0.0,
                params: StimulusResponseParams = STIMULUS_RESPONSE):
    """Pain rating (0–10) of a stimulus at a sensitisation and an NMDA block: the spinal stimulus–response curve.

    Sensitisation raises the gain, so the curve moves left (allodynia) and gets steeper (hyperalgesia); block
    turns the sensitised gain back down. Equals :func:`rating` at the gain of :func:`transmission_gain`.

    Parameters
    ----------
    stimulus : float or array_like
        Stimulus intensity on the 0–10 scale (innocuous below 4).
    sensitisation : float or array_like
        Sensitisation S, in [0, 1] (e.g. from :func:`sensitisation_course`).
    block_fraction : float or array_like
        NMDA block, in [0, 1]. All three broadcast.
    params : StimulusResponseParams
        Curve shape (illustrative).

    Returns
    -------
    float or numpy.ndarray
        Pain rating, 0–10 (illustrative shape).
    """
    x = v.array(stimulus, "stimulus", low=0.0, high=10.0)
    return rating(x, transmission_gain(sensitisation, block_fraction, params), params)
