"""The headline model (notebook 05): relief duration after an infusion, two explanations, a virtual cohort.

Kinds of check: the published pattern (short infusions relieve only while they run, 100 h gives weeks, longer
gives longer, Dahan's "about 50 days"); invariants (monotone in infusion duration, pain in [0, 10], binomial
responder share, reproducible seeds); closed forms; and two methods agreeing (sweep vs per-regimen solution,
closed-form cohort band vs per-patient solution, cohort clearance scaling vs a re-solved PK model, the reset
state vs solve_ivp, the cohort's slow site vs the PK layer's).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from helpers import evidence
from helpers.models import pathway, pk, receptor, relief

HYPS = relief.HYPOTHESES
WEEK = 7.0


def _dahan_titration():
    """Dahan 2011 / Sigtermans 2009: 100 h raised from 5 to 20 mg/h per 70 kg, here in four 25-h steps."""
    return [pk.infusion(5.0, 25.0), pk.infusion(10.0, 25.0, 25.0), pk.infusion(15.0, 25.0, 50.0),
            pk.infusion(20.0, 25.0, 75.0)]


#: Calibration targets: the trial table's rows with a simulable regimen and a relief interval, read by
#: relief.calibration_targets (the same rows RESET_FIT lists): regimen, low and high days, PK model, key, fit.
TARGETS = relief.calibration_targets(evidence.trials())


# ---- the published pattern, both explanations ---------------------------------------------------------------

@pytest.mark.parametrize("hypothesis", HYPS)
@pytest.mark.parametrize("regimen", [pk.infusion(20.0, 0.5), pk.infusion(70.0, 0.5)], ids=["20mg/h", "noppers"])
def test_a_30_min_infusion_relieves_only_while_it_runs(hypothesis, regimen):
    """Noppers 2011, Sigtermans 2010: relief of a short infusion follows plasma and ends with it (within a day)."""
    assert relief.relief_duration_days(regimen, hypothesis) < 1.0


@pytest.mark.parametrize("hypothesis", HYPS)
def test_100_h_at_20_mg_per_h_gives_4_to_12_weeks(hypothesis):
    """Sigtermans 2009 / Dahan 2011 / Cohen 2018: a 4-day infusion relieves CRPS pain for weeks, up to ~12."""
    days = relief.relief_duration_days(pk.infusion(20.0, 100.0), hypothesis)
    assert 4 * WEEK <= days <= 12 * WEEK


@pytest.mark.parametrize("hypothesis", HYPS)
def test_14_days_gives_more_than_100_h(hypothesis):
    """Longer infusions relieve longer (Niesters 2014: 4–14-day infusions; Cohen 2018: longer looks better)."""
    long = relief.relief_duration_days(pk.infusion(20.0, 14 * 24.0), hypothesis)
    short = relief.relief_duration_days(pk.infusion(20.0, 100.0), hypothesis)
    assert long > short + 1.0


@pytest.mark.parametrize("hypothesis", HYPS)
@pytest.mark.parametrize("rate", [5.0, 20.0, 40.0])
@pytest.mark.parametrize("threshold", [0.3, 0.5])
def test_relief_never_shortens_as_the_infusion_lengthens(hypothesis, rate, threshold):
    """At a fixed rate a longer infusion gives every later time at least as much drug exposure (linear PK,
    superposition), so relief duration must not decrease anywhere along the 200-point sweep."""
    d = np.geomspace(0.5, 14 * 24.0, 200)
    sweep = relief.relief_vs_duration(d, rate, hypothesis, threshold)
    days = sweep.biophase_days if hypothesis == "biophase" else sweep.reset_days
    assert np.all(np.diff(days) >= -1e-9), days
    assert days[-1] > days[0]


@pytest.mark.parametrize("regimen", [pk.infusion(20.0, 0.5), pk.infusion(40.0, 336.0), pk.course(24.5, 4.0, 10),
                                     pk.infusion(500.0, 120.0), [pk.bolus(35.0), pk.bolus(35.0, 24.0)]],
                         ids=["30min", "14d-40", "10x4h", "anaesthetic", "boluses"])
def test_pain_stays_within_0_and_10(regimen):
    """Pain is a rating on the 0–10 scale whatever the regimen (up to anaesthetic rates); relief in [0, 1]."""
    course = relief.relief_course(regimen, weeks=16)
    for pain in (course.pain_biophase, course.pain_reset):
        assert np.all((pain >= 0.0) & (pain <= 10.0))
    for r in (course.relief_biophase, course.relief_reset):
        assert np.all((r >= -1e-12) & (r <= 1.0))
    assert course.pain_reset[0] == pytest.approx(relief.BASELINE_PAIN_NRS, abs=1e-9)
    grid = np.linspace(0.0, 1.0, 21)
    pain = relief.reset_pain(grid[:, None], grid[None, :])
    assert np.all((pain >= 0.0) & (pain <= 10.0))


def test_biophase_relief_outlasts_the_100_h_infusion_by_about_50_days():
    """Dahan 2011: relief outlasted the 100-h infusion by about 50 days; we accept ±30 % (35–65 d).

    Regimen: 100 h at 20 mg/h per 70 kg, the plateau rate Dahan reports (the issue's "about 20 mg/h"), on the
    Fanta/Otto PK. Threshold: the default 0.3, the ≥ 30 % pain reduction that trials use as a responder cut-off
    (Schwartzman 2009's registry endpoint), not a value chosen to pass. With the titration from 5 mg/h (four
    25-h steps) the same model gives about 31 d, below the band: the model is less persistent than Dahan's
    statement, which the notebook shows rather than hides (second assertion pins that number).
    """
    days = relief.relief_duration_days(pk.infusion(20.0, 100.0), "biophase", 0.3)
    assert 35.0 <= days <= 65.0
    assert relief.relief_duration_days(_dahan_titration(), "biophase", 0.3) == pytest.approx(30.8, abs=1.0)


# ---- closed forms and published values ---------------------------------------------------------------------

def test_biophase_is_half_relief_at_c50():
    """Hill at C50 = 0.5 for each site (Dahan's 10.5 ng/mL, Simons' acute C50); independent actions combine."""
    p = relief.BIOPHASE
    assert p.c50_slow_ng_ml == 10.5 and p.t_half_slow_days == pk.SLOW_EFFECT_T_HALF_DAYS == 10.9
    assert relief.biophase_relief(0.0, p.c50_slow_ng_ml) == pytest.approx(0.5)
    assert relief.biophase_relief(p.c50_acute_ng_ml, 0.0) == pytest.approx(0.5)
    assert relief.biophase_relief(p.c50_acute_ng_ml, p.c50_slow_ng_ml) == pytest.approx(0.75)
    assert 285.0 <= p.c50_acute_ng_ml <= 404.0          # Simons 2022, 1.2-1.7 nmol/mL


def test_log_normal_spread_from_dahan_confidence_intervals():
    """σ = ln(high/low) / (2 × 1.95996) for a 95 % interval."""
    assert relief.SPREAD.c50_sigma == pytest.approx(math.log(21.2 / 4.37) / (2 * 1.959964), rel=1e-6)
    assert relief.SPREAD.t_half_sigma == pytest.approx(math.log(20.5 / 5.3) / (2 * 1.959964), rel=1e-6)
    assert relief.SPREAD.clearance_sigma == pytest.approx(math.sqrt(math.log(1 + 0.13 ** 2)))


def test_racemate_counts_half_as_s_ketamine():
    """One conversion, the receptor layer's clinical potency ratio (2, Bell 2009)."""
    assert relief.s_ketamine_equivalent_ng_ml(100.0, "racemic") == pytest.approx(50.0)
    assert relief.s_ketamine_equivalent_ng_ml(100.0, "S-ketamine") == pytest.approx(100.0)


def test_reset_chronic_patient_is_read_through_the_layers():
    """Baseline pain is P0 at s = 1, no block; the ongoing input is below the normal pain threshold (so it
    hurts only through sensitisation); the layers' composition (pathway.pain) gives the same number."""
    assert relief.reset_pain(1.0, 0.0) == pytest.approx(relief.BASELINE_PAIN_NRS)
    assert relief.ONGOING_STIMULUS < 4.0
    assert relief.reset_pain(0.0, 0.0) == pytest.approx(0.0)
    from helpers.models import descending
    st = descending.DEFAULT_STATES["chronic"]
    for s, b in [(1.0, 0.0), (0.6, 0.3), (0.2, 0.8)]:
        i, f = descending.effective_balance("chronic", st.inhibition, st.facilitation, b)
        want = pathway.pain(relief.ONGOING_STIMULUS, relief.S_CHRONIC * s, b, float(i), float(f))
        assert relief.reset_pain(s, b) == pytest.approx(want, rel=1e-12)


def test_block_is_the_receptor_layer_block():
    """The sweep's inlined Hill block equals receptor.block_at_plasma for S-ketamine."""
    c = np.geomspace(0.1, 3000.0, 50)
    from helpers.models.relief import _block
    assert np.allclose(_block(c), receptor.block_at_plasma(c, "S-ketamine"), rtol=1e-12)


# ---- two methods agree ---------------------------------------------------------------------------------------

def test_reset_state_matches_solve_ivp():
    """The per-interval exponential solution of ds/dt = (1−b)(1−s)/τ − k b s against an adaptive ODE solver,
    for a smooth block course (an infusion's rise and fall)."""
    p = relief.RESET
    t = np.linspace(0.0, 60 * 24.0, 4001)
    block = 0.7 * (1 - np.exp(-t / 3.0)) * np.where(t < 200.0, 1.0, np.exp(-(t - 200.0) / 5.0))
    s = relief.reset_state_course(t, block, p)
    tau, k = p.rebuild_days * 24.0, p.decay_per_day / 24.0

    def rhs(tt, y):
        b = np.interp(tt, t, block)
        return [(1 - b) * (1 - y[0]) / tau - k * b * y[0]]

    ref = solve_ivp(rhs, (0.0, t[-1]), [1.0], t_eval=t, rtol=1e-10, atol=1e-12, max_step=1.0).y[0]
    assert np.max(np.abs(s - ref)) < 1e-4


@pytest.mark.parametrize("hypothesis", HYPS)
@pytest.mark.parametrize("rate", [10.0, 20.0])
def test_sweep_agrees_with_the_per_regimen_solution(hypothesis, rate):
    """One step response shifted and subtracted (the sweep) against a fresh exact PK solution per regimen:
    within 0.05 d (interpolation in the step table and the crossing between grid points)."""
    d = np.geomspace(0.5, 14 * 24.0, 12)
    sweep = relief.relief_vs_duration(d, rate, hypothesis)
    days = sweep.biophase_days if hypothesis == "biophase" else sweep.reset_days
    exact = [relief.relief_duration_days(pk.infusion(rate, T), hypothesis) for T in d]
    assert np.max(np.abs(days - exact)) < 0.05


@pytest.mark.parametrize("hypothesis", HYPS)
def test_cohort_without_spread_is_the_typical_patient(hypothesis):
    """With no spread and every patient a responder the cohort is n copies of the typical patient. For the
    biophase this also checks the cohort's own slow-site integration against the PK layer's (within 0.1 d)."""
    none = relief.CohortSpread(0.0, 0.0, 0.0, 0.0, responder_probability=1.0)
    for reg in (pk.infusion(20.0, 100.0), pk.course(24.5, 4.0, 10)):
        days = relief.cohort_relief_days(reg, hypothesis, n=5, seed=1, spread=none)
        typical = relief.relief_duration_days(reg, hypothesis)
        assert np.allclose(days, typical, atol=0.1)


@pytest.mark.parametrize("hypothesis", HYPS)
def test_cohort_clearance_interpolation_agrees_with_a_resolved_pk_model(hypothesis):
    """The cohort interpolates each patient's PK between exact solutions at nine clearances; re-solving the PK
    with the patient's own clearance is exact. For the extreme and a middle patient of 40 (CV 13 %) the relief
    durations agree within 0.25 d from 30 min to 14 days (the reset duration is most sensitive at 1–2 days)."""
    fanta = pk.MODELS["fanta_2015"]
    sig = relief.SPREAD.clearance_sigma
    only_cl = relief.CohortSpread(sig, 0.0, 0.0, 0.0, responder_probability=1.0)
    from helpers.models.relief import _patients
    n, seed = 40, 7
    factor = _patients(n, seed, only_cl, relief.BIOPHASE, relief.RESET).conc_factor
    for T in (0.5, 24.0, 48.0, 100.0, 336.0):
        reg = pk.infusion(20.0, T)
        days = relief.cohort_relief_days(reg, hypothesis, n=n, seed=seed, spread=only_cl)
        for i in (int(np.argmin(factor)), int(np.argmax(factor)), 5):
            model = dataclasses.replace(fanta, cl_l_per_h=fanta.cl_l_per_h / factor[i])
            assert abs(days[i] - relief.relief_duration_days(reg, hypothesis, model=model)) < 0.25


@pytest.mark.parametrize("hypothesis", HYPS)
def test_cohort_band_closed_form_agrees_with_the_per_patient_solution(hypothesis):
    """The band's closed forms against the per-patient solution (same patients, same seed): per patient within
    1.5 d (biophase) and 2.5 d (reset) — the hours of acute relief after the end are left out, the slow site
    sees a square wave, the block is held at its mean, and just above the threshold a duration moves fast
    (the reset's ~270 d per unit of s); the band's median and 10/90 % points within 0.5 d (biophase) and
    1.5 d (reset) of the per-patient ones (1.5: after a 1-day infusion the reset cohort splits into patients
    relieved for hours and patients relieved for weeks, and the median sits in the gap, where it moves fast)."""
    n, seed = 300, 11
    durations = np.array([0.5, 4.0, 24.0, 100.0, 336.0])
    band = relief.cohort_band(durations, 20.0, hypothesis, n=n, seed=seed)
    from helpers.models.relief import _band_days, _Patients, _patients
    pts = _patients(n, seed, relief.SPREAD, relief.BIOPHASE, relief.RESET)
    cols = _Patients(*(getattr(pts, f)[:, None] for f in ("conc_factor", "c50_slow", "t_half_slow_days",
                                                          "rebuild_days", "decay_per_day")), responder=None)
    closed = _band_days(durations, 20.0, hypothesis, 0.3, cols, "fanta_2015", 70.0, relief.BIOPHASE, relief.RESET,
                        relief.SPREAD.clearance_sigma)
    tol, tol_q = (1.5, 0.5) if hypothesis == "biophase" else (2.5, 1.5)
    for j, T in enumerate(durations):
        exact = relief.cohort_relief_days(pk.infusion(20.0, T), hypothesis, n=n, seed=seed)
        assert np.max(np.abs(np.where(pts.responder, closed[:, j], 0.0) - exact)) < tol
        ex_r = exact[pts.responder]
        for q, got in ((10, band.p10_days[j]), (50, band.median_days[j]), (90, band.p90_days[j])):
            assert abs(np.percentile(ex_r, q) - got) < tol_q


# ---- the virtual cohort ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("hypothesis", HYPS)
def test_responder_share_is_the_input_probability_within_sampling_error(hypothesis):
    """After a 14-day infusion every responder is relieved, so the share relieved is a binomial draw with
    p = 0.67 (Dahan 2011): within 4 standard errors (a false alarm once in ~16,000 seeds)."""
    n, p = 2000, relief.RESPONDER_PROBABILITY
    days = relief.cohort_relief_days(pk.infusion(20.0, 336.0), hypothesis, n=n, seed=5)
    share = np.mean(days > 0)
    assert abs(share - p) <= 4 * math.sqrt(p * (1 - p) / n)
    band = relief.cohort_band([336.0], 20.0, hypothesis, n=n, seed=5)
    assert abs(band.responder_share - p) <= 4 * math.sqrt(p * (1 - p) / n)
    assert band.relieved_share[0] == pytest.approx(band.responder_share, abs=2.0 / n)
    placebo = relief.CohortSpread(responder_probability=relief.PLACEBO_RESPONDER_PROBABILITY)
    band0 = relief.cohort_band([336.0], 20.0, hypothesis, n=n, seed=5, spread=placebo)
    q = relief.PLACEBO_RESPONDER_PROBABILITY
    assert abs(band0.responder_share - q) <= 4 * math.sqrt(q * (1 - q) / n)


@pytest.mark.parametrize("hypothesis", HYPS)
def test_cohort_is_reproducible_with_a_seed(hypothesis):
    """Same seed, same patients (and the same patients under both hypotheses); another seed, other patients."""
    reg = pk.infusion(20.0, 100.0)
    a = relief.cohort_relief_days(reg, hypothesis, n=200, seed=42)
    b = relief.cohort_relief_days(reg, hypothesis, n=200, seed=42)
    c = relief.cohort_relief_days(reg, hypothesis, n=200, seed=43)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    long = pk.infusion(20.0, 336.0)         # every responder is relieved: the zeros are the non-responders
    zeros = [relief.cohort_relief_days(long, h, n=200, seed=42) == 0 for h in HYPS]
    assert np.array_equal(*zeros) and 0 < zeros[0].sum() < 200
    assert np.array_equal(relief.cohort_band([100.0], 20.0, hypothesis, seed=3).p90_days,
                          relief.cohort_band([100.0], 20.0, hypothesis, seed=3).p90_days)


@pytest.mark.parametrize("hypothesis", HYPS)
def test_typical_patient_lies_inside_the_band(hypothesis):
    """The typical patient (median parameters) is inside the 10–90 % band of responders at every duration:
    exactly for the band's own closed form, and within the closed form's stated 2.5 d for the exact sweep."""
    d = np.geomspace(0.5, 14 * 24.0, 40)
    band = relief.cohort_band(d, 20.0, hypothesis, n=500, seed=0)
    assert np.all(band.p10_days <= band.typical_days + 1e-9)
    assert np.all(band.typical_days <= band.p90_days + 1e-9)
    sweep = relief.relief_vs_duration(d, 20.0, hypothesis)
    exact = sweep.biophase_days if hypothesis == "biophase" else sweep.reset_days
    assert np.all(band.p10_days - 2.5 <= exact) and np.all(exact <= band.p90_days + 2.5)
    assert np.all(band.p10_days <= band.median_days) and np.all(band.median_days <= band.p90_days)


# ---- calibration ---------------------------------------------------------------------------------------------

def _loss_at(tau, k, targets=TARGETS):
    return relief.evaluate_reset(targets, relief.ResetParams(tau, k)).loss


def test_stored_reset_rates_are_the_calibration_of_the_trial_targets():
    """calibrate_reset on the trial table's targets reproduces the stored rates (0.5 %), intervals and per-trial
    predictions (0.5 d); a fresh PK solution per trial gives the stored predictions (0.05 d); the optimum is
    inside the search box and no neighbouring pair of rates (±5 % and ±20 %) has a smaller loss."""
    fit = relief.calibrate_reset(TARGETS)
    stored = relief.RESET_FIT
    assert fit.params.rebuild_days == pytest.approx(relief.RESET.rebuild_days, rel=0.005)
    assert fit.params.decay_per_day == pytest.approx(relief.RESET.decay_per_day, rel=0.005)
    assert fit.labels == stored.labels and fit.scale == stored.scale == "log1p"
    assert np.array_equal(fit.low_days, stored.low_days) and np.array_equal(fit.high_days, stored.high_days)
    assert np.array_equal(fit.fitted, stored.fitted)
    assert np.allclose(fit.predicted_days, stored.predicted_days, atol=0.5)
    pred = [relief.relief_duration_days(t.regimen, "reset", model=t.model) for t in TARGETS]
    assert np.allclose(pred, stored.predicted_days, atol=0.05)
    again = relief.evaluate_reset(TARGETS)
    assert np.allclose(again.predicted_days, pred, atol=1e-9)
    assert again.loss == pytest.approx(stored.loss, rel=1e-3)
    assert relief.RESET.evidence == "illustrative"
    assert 5.0 < fit.params.rebuild_days < 400.0 and 0.01 < fit.params.decay_per_day < 10.0
    best = _loss_at(relief.RESET.rebuild_days, relief.RESET.decay_per_day)
    for ft in (0.8, 0.95, 1.0, 1.05, 1.25):
        for fk in (0.8, 0.95, 1.0, 1.05, 1.25):
            assert _loss_at(relief.RESET.rebuild_days * ft, relief.RESET.decay_per_day * fk) >= best - 1e-4


def test_the_calibration_is_a_fit_not_a_construction():
    """More fitted targets than rates, a loss that stays above zero (the targets disagree under the model), and
    the rates follow the data: a shorter Dahan target shortens the fit's Dahan prediction and moves both rates;
    the table's own reading of Schwartzman 2009 (at most 90 d) lets every target be met (loss near 0), the situation
    of a two-trial fit that tests nothing."""
    stored = relief.RESET_FIT
    assert stored.n_fitted == 6 > 2 and stored.loss > 0.1
    assert stored.mean_abs_error_days > 5.0
    shorter = [t._replace(low_days=30.0, high_days=30.0) if t.label == "dahan_2011" else t for t in TARGETS]
    moved = relief.calibrate_reset(shorter)
    i = stored.labels.index("dahan_2011")
    assert moved.predicted_days[i] < stored.predicted_days[i] - 10.0
    assert abs(math.log(moved.params.rebuild_days / relief.RESET.rebuild_days)) > 0.2
    assert abs(math.log(moved.params.decay_per_day / relief.RESET.decay_per_day)) > 0.2
    as_upper = [t._replace(low_days=None, high_days=90.0) if t.label == "schwartzman_2009" else t for t in TARGETS]
    exact = relief.calibrate_reset(as_upper)
    assert exact.loss < 1e-3 < relief.RESET_FIT.loss / 100
    assert exact.params.rebuild_days < 0.8 * relief.RESET.rebuild_days


def test_the_error_is_the_distance_to_the_interval():
    """Closed form: 0 inside [low, high], predicted − high above, predicted − low below; an open side never
    counts; the log1p loss is the sum of squared log(1 + d) distances over the fitted targets only."""
    fit = relief.TrialFit(params=relief.RESET, labels=tuple("abcde"),
                          low_days=np.array([10.0, 10.0, 10.0, 0.0, 30.0]),
                          high_days=np.array([20.0, 20.0, 20.0, 1.0, np.inf]),
                          predicted_days=np.array([5.0, 15.0, 25.0, 3.0, 400.0]),
                          fitted=np.array([True, True, True, True, False]), threshold=0.3)
    assert np.allclose(fit.error_days, [-5.0, 0.0, 5.0, 2.0, 0.0])
    want = math.log(6 / 11) ** 2 + math.log(26 / 21) ** 2 + math.log(4 / 2) ** 2
    assert fit.loss == pytest.approx(want, rel=1e-12)
    assert fit.mean_abs_error_days == pytest.approx(12.0 / 4)
    days = dataclasses.replace(fit, scale="days")
    assert days.loss == pytest.approx(25.0 + 25.0 + 4.0)


def test_calibration_targets_follow_the_trial_table():
    """Every replayable row that bounds its relief enters, as an interval from its fields: Dahan 2011's central
    50 d (Sigtermans 2009, the same patients, counted once), Amr 2010 14–21 d, the negatives Noppers 2011
    (15 min – 3 h) and Rabben 2001 (under a day), Kiefer 2002 at least 30 d; Schwartzman 2009's 90 d (relief over
    the whole follow-up) is read as a lower bound; Kiefer 2008's pilot is listed but not fitted; racemic rows run on
    the racemic PK model with the row's total dose. With the pilot in the fit, it collapses: the four long
    regimens are all predicted within a few days of each other and the loss grows tenfold."""
    rows = {t.key: t for t in evidence.trials()}
    got = {t.label: (t.low_days, t.high_days, t.fit) for t in TARGETS}
    assert list(got) == ["dahan_2011", "schwartzman_2009", "noppers_2011", "amr_2010", "kiefer_2002_pilot",
                         "kiefer_2008_pilot", "rabben_2001"]
    assert got["dahan_2011"] == (50.0, 50.0, True) and rows["dahan_2011"].same_patients_as == "sigtermans_2009"
    assert got["amr_2010"] == (14.0, 21.0, True)
    assert got["noppers_2011"] == (pytest.approx(15 / 1440, rel=1e-3), 0.125, True) and rows["noppers_2011"].negative
    assert got["rabben_2001"] == (0.0, 1.0, True) and rows["rabben_2001"].negative
    assert got["kiefer_2002_pilot"] == (30.0, None, True)
    schwartzman = rows["schwartzman_2009"]
    assert schwartzman.relief_days_high == 90.0 and "over the 3-month follow-up" in schwartzman.relief_text
    assert got["schwartzman_2009"] == (90.0, None, True)
    assert got["kiefer_2008_pilot"] == (0.0, 0.0, False) and "kiefer_2008_pilot" in relief.KEPT_OUT_OF_FIT
    for t in TARGETS:
        row = rows[t.label]
        assert t.model == relief.MODEL_FOR_DRUG[row.drug]
        assert pk.total_dose_mg(t.regimen) == pytest.approx(row.total_dose_mg_base())
    all_in = [t._replace(fit=True) for t in TARGETS]
    fit = relief.calibrate_reset(all_in)
    long = [fit.predicted_days[fit.labels.index(k)] for k in ("dahan_2011", "schwartzman_2009", "amr_2010",
                                                                "kiefer_2002_pilot", "kiefer_2008_pilot")]
    assert np.ptp(long) < 7.0 and fit.loss > 10 * relief.RESET_FIT.loss
    with pytest.raises(ValueError, match="trials"):
        relief.calibration_targets([object()])


def test_the_negative_trials_rule_out_a_fast_strong_reset():
    """The negatives are met at the fit, and they bind elsewhere: with a fast, strong reset (rebuild 20 d,
    5 per day) a 30-min infusion (Noppers 2011) would leave more than 3 days of relief, far outside 15 min – 3 h."""
    i = relief.RESET_FIT.labels.index("noppers_2011")
    assert abs(relief.RESET_FIT.error_days[i]) < 0.05
    fast = relief.evaluate_reset(TARGETS, relief.ResetParams(20.0, 5.0))
    assert fast.error_days[i] > 3.0 and fast.loss > relief.RESET_FIT.loss


def test_biophase_errors_on_the_same_trials():
    """The biophase is not fitted (Dahan's numbers): its predictions per target equal a fresh relief_duration_days,
    and it misses Schwartzman 2009 by more than the fitted reset does."""
    b = relief.evaluate_biophase(TARGETS)
    assert b.hypothesis == "biophase" and b.params is relief.BIOPHASE and b.labels == relief.RESET_FIT.labels
    fresh = [relief.relief_duration_days(t.regimen, "biophase", model=t.model) for t in TARGETS]
    assert np.allclose(b.predicted_days, fresh, atol=1e-9)
    i = b.labels.index("schwartzman_2009")
    assert b.error_days[i] < relief.RESET_FIT.error_days[i] < 0


def test_calibration_recovers_rates_it_generated():
    """Point targets made by the model itself with known rates are fitted back to those rates."""
    truth = relief.ResetParams(40.0, 0.8)
    regs = [(pk.infusion(20.0, 100.0), "fanta_2015"), (pk.infusion(15.0, 48.0), "fanta_2015"),
            (pk.infusion(20.0, 336.0), "fanta_2015")]
    targets = []
    for r, m in regs:
        d = relief.relief_duration_days(r, "reset", model=m, reset=truth)
        targets.append((r, d, d, m))
    fit = relief.calibrate_reset(targets)
    assert fit.params.rebuild_days == pytest.approx(40.0, rel=0.03)
    assert fit.params.decay_per_day == pytest.approx(0.8, rel=0.05)
    assert fit.rms_days < 0.1


# ---- contract and bad input ------------------------------------------------------------------------------------

def test_contract_names_in_pathway():
    """Outside checks call pathway.relief_duration_days and pathway.cohort_relief_days."""
    assert pathway.relief_duration_days is relief.relief_duration_days
    assert pathway.cohort_relief_days is relief.cohort_relief_days
    days = pathway.cohort_relief_days(pk.infusion(20.0, 100.0), hypothesis="reset", n=50, seed=0, threshold=0.5)
    assert isinstance(days, np.ndarray) and days.shape == (50,) and np.all(days >= 0)
    assert pathway.relief_duration_days(pk.infusion(20.0, 100.0), hypothesis="biophase", threshold=0.5,
                                        model="fanta_2015", weight_kg=80.0) > 0
    # a stricter threshold never lengthens relief
    for h in HYPS:
        assert (relief.relief_duration_days(pk.infusion(20.0, 100.0), h, 0.5)
                <= relief.relief_duration_days(pk.infusion(20.0, 100.0), h, 0.3))


@pytest.mark.parametrize("call, name", [
    (lambda: relief.relief_duration_days(pk.infusion(20, 100), "placebo"), "hypothesis"),
    (lambda: relief.relief_duration_days(pk.infusion(20, 100), "biophase", 0.0), "threshold"),
    (lambda: relief.relief_duration_days(pk.infusion(20, 100), "biophase", float("nan")), "threshold"),
    (lambda: relief.relief_duration_days(pk.infusion(20, 100), "biophase", True), "threshold"),
    (lambda: relief.relief_duration_days([], "biophase"), "regimen"),
    (lambda: relief.relief_duration_days("100 h", "biophase"), "regimen"),
    (lambda: relief.relief_duration_days(pk.infusion(0.0, 100), "biophase"), "regimen"),
    (lambda: relief.relief_duration_days(pk.infusion(20, 100), model="nobody"), "model"),
    (lambda: relief.relief_duration_days(pk.infusion(20, 100), weight_kg=5.0), "weight_kg"),
    (lambda: relief.cohort_relief_days(pk.infusion(20, 100), n=0), "n"),
    (lambda: relief.cohort_relief_days(pk.infusion(20, 100), seed=-1), "seed"),
    (lambda: relief.cohort_relief_days(pk.infusion(20, 100), n=2.5), "n"),
    (lambda: relief.relief_vs_duration([0.0, 10.0], 20.0), "durations_h"),
    (lambda: relief.relief_vs_duration([], 20.0), "durations_h"),
    (lambda: relief.relief_vs_duration([10.0], -1.0), "rate_mg_per_h"),
    (lambda: relief.relief_vs_duration([10.0], 20.0, "neither"), "hypothesis"),
    (lambda: relief.cohort_band([10.0], 20.0, "both"), "hypothesis"),
    (lambda: relief.cohort_band([10.0], 20.0, n=5), "n"),
    (lambda: relief.relief_course(pk.infusion(20, 100), weeks=0.0), "weeks"),
    (lambda: relief.calibrate_reset([(pk.infusion(20, 100), 50.0, 50.0)]), "targets"),
    (lambda: relief.calibrate_reset([(pk.infusion(20, 100), -5.0, None), (pk.infusion(20, 10), 5.0, 5.0)]),
     "low_days"),
    (lambda: relief.calibrate_reset([(pk.infusion(20, 100), 10.0, 5.0), (pk.infusion(20, 10), 5.0, 5.0)]),
     "high_days"),
    (lambda: relief.calibrate_reset([(pk.infusion(20, 100), 50.0, "fanta_2015"), (pk.infusion(20, 10), 5.0, 5.0)]),
     "high_days"),
    (lambda: relief.calibrate_reset([(pk.infusion(20, 100), None, None), (pk.infusion(20, 10), 5.0, 5.0)]),
     "targets"),
    (lambda: relief.calibrate_reset(TARGETS, scale="weeks"), "scale"),
    (lambda: relief.evaluate_biophase(TARGETS, threshold=0.0), "threshold"),
    (lambda: relief.ResetParams(0.0, 1.0), "rebuild_days"),
    (lambda: relief.BiophaseParams(c50_slow_ng_ml=-1.0), "c50_slow_ng_ml"),
    (lambda: relief.CohortSpread(responder_probability=1.5), "responder_probability"),
    (lambda: relief.reset_pain(1.2, 0.0), "slow_state"),
    (lambda: relief.reset_state_course([0.0, 1.0], [0.0, 2.0]), "block_fraction"),
    (lambda: relief.lognormal_sigma_from_ci(5.0, 4.0), "high"),
    (lambda: relief.evaluate_reset([]), "targets"),
    (lambda: relief.evaluate_reset(TARGETS, threshold=1.0), "threshold"),
])
def test_bad_input_raises_a_value_error_naming_the_parameter(call, name):
    """Bad input is refused with a ValueError that names the parameter (and shows the value and range)."""
    with pytest.raises(ValueError, match=name):
        call()
