"""The optimality certificate in the receipt: it proves an optimum, and only an optimum."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from answers_helpers import cases
from click.testing import CliRunner

from matcher.answers import certificate
from matcher.answers.certificate import certificate_from_dict, make_certificate
from matcher.answers.certificate_check import (
    ScaledScores,
    check_certificate,
    network_by_checker,
    network_by_encoding,
)
from matcher.answers.receipt import make_receipt, receipt_to_dict
from matcher.answers.verify import certificate_findings
from matcher.checker import check
from matcher.cli import main
from matcher.encode.lazy_scores import LazyScores
from matcher.encode.prepare import prepare
from matcher.io.cohort_csv import write_cohort
from matcher.solve import solve

CASES = cases()
PLAIN = [c for c in CASES if c[0] in ("coaching plain", "strict coaching")]
IDS = [c[0] for c in CASES]


def _ids(result):
    return [(p.mentee_id, p.mentor_id) for p in result.pairs]


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=IDS)
def test_the_receipt_certificate_proves_the_optimum(label, cohort, policy):
    result = solve(cohort, policy)
    assert check(cohort, policy, result) == []
    receipt = make_receipt(cohort, policy, result)
    assert receipt.certificate is not None, receipt.certificate_note
    assert receipt.certificate["scale"] == 1_000_000
    findings, derived_by = certificate_findings(receipt, cohort, policy, _ids(result))
    assert findings == []
    assert derived_by == "the independent checker"


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES, ids=IDS)
def test_the_checker_and_the_encoding_derive_the_same_network(label, cohort, policy):
    by_checker = network_by_checker(cohort, policy, 1_000_000)
    by_encoding = network_by_encoding(prepare(cohort, policy), 1_000_000)
    assert np.array_equal(by_checker.eligible, by_encoding.eligible)
    assert np.array_equal(by_checker.scores, by_encoding.scores[:])
    assert np.array_equal(by_checker.wanted, by_encoding.wanted)
    assert np.array_equal(by_checker.capacity, by_encoding.capacity)
    assert np.array_equal(by_checker.min_load, by_encoding.min_load)
    assert by_checker.dept_cap == by_encoding.dept_cap
    if policy.max_per_department is not None:
        assert by_checker.departments == by_encoding.departments


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES[:3], ids=IDS[:3])
def test_scaled_scores_read_by_blocks_equal_the_whole_matrix(label, cohort, policy):
    """The large-sheet network reads scores a block of rows at a time, from scores that
    are not stored (LazyScores, as from 25M pairs): every block equals the whole matrix's."""
    prepared = prepare(cohort, policy)
    eligible, scale = prepared.instance.eligible, 1_000_000
    whole = np.where(eligible, np.rint(prepared.instance.scores * scale), 0).astype(np.int64)
    lazy = ScaledScores(eligible, LazyScores(prepared.tables), scale)
    n = len(cohort.mentees)
    for r0, r1 in [(0, n), (0, 1), (1, min(n, 4)), (n - 1, n), (n, n)]:
        block = lazy[r0:r1]
        assert block.dtype == np.int64 and np.array_equal(block, whole[r0:r1])
    with pytest.raises(TypeError):
        lazy[0]  # whole rows in blocks only: a stray index would read one row as a block
    with pytest.raises(TypeError):
        lazy[0:n:2]


def test_a_tampered_potential_or_a_worse_matching_is_rejected():
    _, cohort, policy = PLAIN[0]
    result = solve(cohort, policy)
    receipt = make_receipt(cohort, policy, result)
    net = network_by_checker(cohort, policy, 1_000_000)
    e_at = {x: i for i, x in enumerate(net.mentee_ids)}
    m_at = {x: j for j, x in enumerate(net.mentor_ids)}
    pairs = [(e_at[e], m_at[m]) for e, m in _ids(result)]
    cert = certificate_from_dict(receipt.certificate)
    assert check_certificate(net, pairs, cert) == []
    # A matched mentor's potential lowered: the pairs into it no longer prove tight.
    j = pairs[0][1]
    mentors = list(cert.mentors)
    mentors[j] -= 10**7
    found = check_certificate(net, pairs, replace(cert, mentors=tuple(mentors)))
    assert found and any("reduced cost" in f for f in found)
    # One pair dropped: a place left with a profitable pair is no longer optimal.
    found = check_certificate(net, pairs[1:], cert)
    assert found
    # The bonus too small to put places first.
    assert any("bonus" in f for f in check_certificate(net, pairs, replace(cert, bonus=1)))


def test_make_certificate_refuses_pairs_that_are_not_optimal():
    _, cohort, policy = PLAIN[0]
    instance = prepare(cohort, policy).instance
    result = solve(cohort, policy)
    e_at = {x: i for i, x in enumerate(instance.mentee_ids)}
    m_at = {x: j for j, x in enumerate(instance.mentor_ids)}
    pairs = [(e_at[e], m_at[m]) for e, m in _ids(result)]
    assert not isinstance(make_certificate(instance, pairs), str)
    worse = make_certificate(instance, pairs[1:])
    assert isinstance(worse, str)


def test_side_rules_carry_their_potentials_and_a_broken_one_is_found():
    label, cohort, policy = next(c for c in CASES if c[0] == "mentoring dept cap")
    result = solve(cohort, policy)
    receipt = make_receipt(cohort, policy, result)
    cert = certificate_from_dict(receipt.certificate)
    assert cert.departments, "a department cap that binds has sub-node potentials"
    net = network_by_checker(cohort, policy, 1_000_000)
    e_at = {x: i for i, x in enumerate(net.mentee_ids)}
    m_at = {x: j for j, x in enumerate(net.mentor_ids)}
    pairs = [(e_at[e], m_at[m]) for e, m in _ids(result)]
    assert check_certificate(net, pairs, cert) == []
    j, name, potential = cert.departments[0]
    moved = ((j, name, potential - 10**9), *cert.departments[1:])
    assert check_certificate(net, pairs, replace(cert, departments=moved))
    _, cohort, policy = next(c for c in CASES if c[0] == "mentoring min loads")
    result = solve(cohort, policy)
    cert = certificate_from_dict(make_receipt(cohort, policy, result).certificate)
    net = network_by_checker(cohort, policy, 1_000_000)
    e_at = {x: i for i, x in enumerate(net.mentee_ids)}
    m_at = {x: j for j, x in enumerate(net.mentor_ids)}
    pairs = [(e_at[e], m_at[m]) for e, m in _ids(result)]
    assert check_certificate(net, pairs, cert) == []
    bound = [j for j in range(len(net.mentor_ids)) if net.min_load[j] > 0]
    starved = [p for p in pairs if p[1] != bound[0]]
    assert any("minimum" in f for f in check_certificate(net, starved, cert))


def test_verify_exits_4_on_a_tampered_potential(tmp_path):
    _, cohort, policy = PLAIN[0]
    sheet, pairs_file = tmp_path / "c.csv", tmp_path / "pairs.csv"
    write_cohort(cohort, sheet)
    runner = CliRunner()
    args = [str(sheet), "--program", policy.program]
    made = runner.invoke(
        main, ["match", *args, "-o", str(pairs_file), "--receipt", str(tmp_path / "r.json")]
    )
    assert made.exit_code == 0, made.output
    ok = runner.invoke(main, ["verify", str(tmp_path / "r.json"), *args, str(pairs_file)])
    assert ok.exit_code == 0, ok.output
    assert "certificate checked" in ok.output
    data = json.loads((tmp_path / "r.json").read_text())
    data["certificate"]["potentials"]["mentees"][0] += 10**9
    (tmp_path / "bad.json").write_text(json.dumps(data))
    bad = runner.invoke(main, ["verify", str(tmp_path / "bad.json"), *args, str(pairs_file)])
    assert bad.exit_code == 4
    assert "certificate:" in bad.output


def test_receipt_json_round_trips_with_its_certificate():
    _, cohort, policy = PLAIN[0]
    receipt = make_receipt(cohort, policy, solve(cohort, policy))
    data = json.loads(json.dumps(receipt_to_dict(receipt)))
    from matcher.answers.receipt import receipt_from_dict

    assert receipt_from_dict(data) == receipt
    old = {k: v for k, v in data.items() if k not in ("certificate", "certificate_note")}
    old["format"] = 1
    assert receipt_from_dict(old).certificate is None


@pytest.mark.parametrize("network", [network_by_checker, "encoding"])
def test_pinned_pairs_are_closed_arcs_of_the_certificate(network):
    """Pinned pairs are fixed before the flow: the certificate proves the rest, and a
    pinned pair listed again among the free pairs is no open arc."""
    _, cohort, policy = PLAIN[0]
    first = solve(cohort, policy)
    pins = tuple(_ids(first)[:2])
    pinned = replace(policy, pinned_pairs=pins)
    result = solve(cohort, pinned)
    receipt = make_receipt(cohort, pinned, result)
    cert = certificate_from_dict(receipt.certificate)
    if network == "encoding":
        net = network_by_encoding(prepare(cohort, pinned), cert.scale)
    else:
        net = network(cohort, pinned, cert.scale)
    e_at = {x: i for i, x in enumerate(net.mentee_ids)}
    m_at = {x: j for j, x in enumerate(net.mentor_ids)}
    pairs = [(e_at[e], m_at[m]) for e, m in _ids(result)]
    assert len(net.pinned) == 2 and set(net.pinned) <= set(pairs)
    assert check_certificate(net, pairs, cert) == []
    # A free pair moved onto a mentee whose one place a pin fills is no open arc.
    pi, pj = next((i, j) for i, j in sorted(net.pinned) if net.wanted[i] == 1)
    i, j = next((i, j) for i, j in pairs if (i, j) not in net.pinned and j != pj)
    wrong = [p for p in pairs if p != (i, j)] + [(pi, j)]
    assert any("not open arcs" in f for f in check_certificate(net, wrong, cert))


@pytest.mark.parametrize(("label", "cohort", "policy"), CASES[:2], ids=IDS[:2])
def test_scores_computed_on_demand_give_the_same_certificate(label, cohort, policy, monkeypatch):
    """Above 25M pairs the scores are LazyScores and the certificate opens with the
    solver's sweep (count, bonus, candidate graph, codes): the same potentials as the
    matrix's candidate graph, which the test forces by treating every pool as large."""
    monkeypatch.setattr(certificate, "DENSE_LIMIT", 0)
    prepared = prepare(cohort, policy)
    dense = prepared.instance
    lazy = replace(dense, scores=LazyScores(prepared.tables))
    result = solve(cohort, policy)
    e_at = {x: i for i, x in enumerate(dense.mentee_ids)}
    m_at = {x: j for j, x in enumerate(dense.mentor_ids)}
    pairs = [(e_at[e], m_at[m]) for e, m in _ids(result)]
    names = prepared.persons.departments
    want = make_certificate(dense, pairs, departments=names)
    got = make_certificate(lazy, pairs, departments=names)
    assert not isinstance(got, str), got
    assert got == want
    assert lazy.scores.codes is not None  # the sweep left the compact copy for the screens
    net = network_by_checker(cohort, policy, got.scale)
    assert check_certificate(net, pairs, got) == []
