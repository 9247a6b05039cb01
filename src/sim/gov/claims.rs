//! Benefit claims (免申即享 兑付申请): Tongban files one when a person confirms an offer. The
//! simulated platform takes it once per client request id and answers the same receipt to a
//! retry.

use std::sync::Arc;

use poem::{Request, Response, handler, web::Data};

use super::{SimState, admit_json, conflict, invalid, lock, ok, records::Replay};
use crate::upstream::gov::wire::{BenefitClaim, BenefitClaimRecord, ClaimReceipt, ClaimsQuery};

/// The current receipts of the holder's claims among those asked for; another holder's
/// claims are simply not in the answer.
#[handler]
pub(super) async fn query(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let query: ClaimsQuery = match admit_json(state, req, &body).await {
        Ok(query) => query,
        Err(refused) => return refused,
    };
    if query.claim_ids.len() > 100 {
        return invalid("一次最多查询100条申领");
    }
    let records = lock(&state.records);
    let found: Vec<ClaimReceipt> = records
        .claims
        .iter()
        .filter(|record| {
            record.claim.holder_code == query.holder_code
                && query.claim_ids.contains(&record.receipt.claim_id)
        })
        .map(|record| record.receipt.clone())
        .collect();
    ok(found)
}

#[handler]
pub(super) async fn claim(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let claim: BenefitClaim = match admit_json(state, req, &body).await {
        Ok(claim) => claim,
        Err(refused) => return refused,
    };
    if claim.client_request_id.is_empty() || claim.policy_id.is_empty() {
        return invalid("缺少申领编号或政策编号");
    }
    let request = serde_json::to_value(&claim).unwrap_or_default();
    let mut records = lock(&state.records);
    match records.replay("claim", &claim.client_request_id, &request) {
        Replay::Repeat(answer) => return ok(answer),
        Replay::Conflict => return conflict("请求编号已用于其他申领"),
        Replay::New => {}
    }
    let receipt = ClaimReceipt {
        claim_id: format!("CLM{:010}", records.next_sequence()),
        status: "submitted".into(),
    };
    let answer = serde_json::to_value(&receipt).unwrap_or_default();
    records.claims.push(BenefitClaimRecord {
        claim: claim.clone(),
        receipt,
    });
    records.remember("claim", &claim.client_request_id, request, answer.clone());
    ok(answer)
}
