use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// A DKIM signature uses a weak algorithm or key: `rsa-sha1`, or an RSA key shorter than
    /// 2048 bits. Keys under 1024 bits and SHA-1 must not be accepted by verifiers at all.
    ///
    /// ## Why it matters
    /// A 512-bit RSA key can be factored cheaply, and SHA-1 collisions are practical: anyone can
    /// then sign mail as the domain. Large receivers already ignore such signatures, so the
    /// message may be judged unsigned.
    ///
    /// ## Example
    /// `a=rsa-sha1` or a `k=rsa` key of 1024 bits.
    ///
    /// ## What to do
    /// Senders: publish a 2048-bit RSA (or an Ed25519 alongside) key under a new selector, sign
    /// with rsa-sha256, then remove the old selector.
    ///
    /// ## References
    /// - RFC 8301 (cryptographic algorithm and key usage update to DKIM)
    /// - RFC 8463 (Ed25519 for DKIM)
    pub static RULE = {
        code: "DKIM006",
        name: "dkim-weak-key",
        severity: Warning,
        summary: "a DKIM signature uses SHA-1 or a short RSA key",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for d in &ctx.auth.dkim {
        let weak_bits = d
            .key_bits
            .filter(|b| d.algorithm.starts_with("rsa") && *b < 2048);
        let sha1 = d.algorithm == "rsa-sha1";
        if !sha1 && weak_bits.is_none() {
            continue;
        }
        let mut what = Vec::new();
        if sha1 {
            what.push("rsa-sha1".to_string());
        }
        if let Some(bits) = weak_bits {
            what.push(format!("a {bits}-bit RSA key"));
        }
        let verdict = match d.reason.as_deref() {
            Some("weak-key" | "weak-algorithm") => "not acceptable (RFC 8301): treated as unsigned",
            _ => "acceptable today, but weaker than the 2048-bit RSA receivers expect",
        };
        out.push(rule.finding(
            format!(
                "the signature of {} uses {}: {verdict}",
                d.domain,
                what.join(" and ")
            ),
            None,
            ctx.header_evidence(d.header_index),
        ));
    }
}
