//! AWS CloudTrail: a trail's log files (`{"Records": [...]}`, as delivered to
//! S3 or downloaded from the console) and `aws cloudtrail lookup-events`
//! output (`{"Events": [{"EventId", "EventName", "EventTime",
//! "CloudTrailEvent": "<the record as a JSON string>"}]}`).
//!
//! A configuration change is a write API call: read-only calls (`readOnly`,
//! `Get*`, `Describe*`, `List*`…), sign-ins, role assumptions, KMS crypto
//! and log delivery are read and left out (counted in a note), and so are
//! calls refused for lack of permission — they changed nothing. Another
//! failed call is a failed change. The change is the call: `eventTime`. Its
//! service is the resource the call names (`functionName`, `name`,
//! `dBInstanceIdentifier`, `service`…), its environment the region.

use super::json::J;
use super::sniff::Sniff;
use super::Reading;
use crate::{SourceError, SourceOptions, Tally};
use faultline_model::ChangeStatus;
use serde_json::Value;

pub(crate) const TOOL: &str = "cloudtrail";

pub(crate) fn looks_like(s: &Sniff) -> bool {
    let trail = s.has_at(1, "Records") && s.has_all(&["eventVersion", "eventSource", "eventName"]);
    let lookup =
        s.has_at(1, "Events") && s.has_all(&["EventId", "EventName"]) && s.has_any(&["CloudTrailEvent", "EventSource"]);
    // One record per line, as CloudWatch Logs and Athena exports write them.
    let lines =
        !s.array_root && ["eventVersion", "eventSource", "eventName", "eventTime"].iter().all(|k| s.has_at(1, k));
    trail || lookup || lines
}

const READ_PREFIXES: &[&str] = &[
    "Get", "Describe", "List", "Lookup", "Head", "Search", "Check", "Validate", "Test", "Select", "Scan", "Query",
    "BatchGet", "Filter", "Estimate", "Preview", "View",
];
/// Write calls that are no configuration change: sessions, crypto, log delivery.
const NOT_CHANGES: &[&str] = &[
    "ConsoleLogin",
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "GetSessionToken",
    "GetFederationToken",
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncrypt",
    "CreateLogStream",
    "PutLogEvents",
    "StartQuery",
    "StopQuery",
    "CreateNetworkInterface",
    "DeleteNetworkInterface",
    "RenewRole",
    "SwitchRole",
    "CheckMfa",
];
/// Request parameters that name the resource a call changes, best first.
const RESOURCE_KEYS: &[&str] = &[
    "functionName",
    "service",
    "serviceName",
    "dBInstanceIdentifier",
    "dBClusterIdentifier",
    "name",
    "autoScalingGroupName",
    "stackName",
    "clusterName",
    "cluster",
    "tableName",
    "bucketName",
    "queueUrl",
    "topicArn",
    "loadBalancerName",
    "loadBalancerArn",
    "targetGroupArn",
    "ruleName",
    "groupId",
    "instanceId",
    "roleName",
    "policyArn",
    "repositoryName",
    "distributionId",
    "id",
];
/// What a call deployed, when it says: a task definition, a version, an image.
const REVISION_KEYS: &[&str] = &["taskDefinition", "imageUri", "version", "imageTag", "codeSha256", "revisionId"];

fn is_read(name: &str) -> bool {
    READ_PREFIXES.iter().any(|p| {
        name.starts_with(p) && name.get(p.len()..p.len() + 1).is_some_and(|c| c.chars().all(|c| c.is_ascii_uppercase()))
    })
}

fn denied(code: &str) -> bool {
    code.contains("AccessDenied")
        || code.contains("Unauthorized")
        || code.contains("NotAuthorized")
        || code == "Client.UnauthorizedOperation"
}

/// A value of the first of `keys` found in `obj` (one level of nesting: `input.name`).
fn find_text(obj: Option<&Value>, keys: &[&str]) -> Option<String> {
    let o = obj?.as_object()?;
    keys.iter().find_map(|k| o.get(*k).and_then(super::json::scalar_text)).or_else(|| {
        o.values()
            .filter_map(Value::as_object)
            .find_map(|inner| keys.iter().find_map(|k| inner.get(*k).and_then(super::json::scalar_text)))
    })
}

/// The resource's short name: the last part of an ARN or URL.
fn short_name(s: &str) -> String {
    let tail = s.rsplit(['/', ':']).find(|p| !p.is_empty()).unwrap_or(s);
    tail.to_string()
}

pub(crate) fn parse(data: &[u8], label: &str, opts: &SourceOptions, tally: &mut Tally<'_>) -> Result<(), SourceError> {
    let doc = super::parse_doc(data, label)?;
    let mut r = Reading::new(data, label, opts);
    let mut found = 0usize;
    for root in doc.roots() {
        if root.get("eventName").is_some() && root.get("eventTime").is_some() {
            found += 1;
            let span = r.span_of(&root);
            read_record(root.value, &root, span, &mut r, tally)?;
            continue;
        }
        for e in root.get("Records").map(|x| x.items()).unwrap_or_default() {
            found += 1;
            let span = r.span_of(&e);
            if !e.complete() {
                r.unparsed(tally, span, "cut off by a JSON syntax error")?;
                continue;
            }
            read_record(e.value, &e, span, &mut r, tally)?;
        }
        for e in root.get("Events").map(|x| x.items()).unwrap_or_default() {
            found += 1;
            let span = r.span_of(&e);
            if !e.complete() {
                r.unparsed(tally, span, "cut off by a JSON syntax error")?;
                continue;
            }
            // The full record is a JSON string inside the lookup result.
            let inner = e.text("CloudTrailEvent").and_then(|s| serde_json::from_str::<Value>(&s).ok());
            match inner {
                Some(record) => read_record(&record, &e, span, &mut r, tally)?,
                None => read_lookup(&e, span, &mut r, tally)?,
            }
        }
    }
    if found == 0 {
        return Err(super::not_found(label, "CloudTrail record (`Records` or `Events`)"));
    }
    r.finish(tally, doc.broke.as_ref())
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(super::json::scalar_text)
}

fn read_record(
    v: &Value,
    at: &J<'_>,
    span: faultline_model::Span,
    r: &mut Reading<'_>,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let name = text(v, &["eventName"]).unwrap_or_default();
    let read_only = v.get("readOnly").is_some_and(|b| b.as_bool() == Some(true) || b.as_str() == Some("true"));
    if read_only || is_read(&name) {
        r.skip("read-only API calls");
        return Ok(());
    }
    if NOT_CHANGES.contains(&name.as_str()) || v.get("eventType").and_then(Value::as_str) == Some("AwsConsoleSignIn") {
        r.skip("sign-in, session, crypto and log-delivery calls");
        return Ok(());
    }
    let error = text(v, &["errorCode"]);
    if error.as_deref().is_some_and(denied) {
        r.skip("calls refused for lack of permission");
        return Ok(());
    }
    let Some(time) = v.get("eventTime").and_then(|t| super::time_value(t, &r.zone)) else {
        r.unparsed(tally, span, "record without eventTime")?;
        return Ok(());
    };
    let source = text(v, &["eventSource"]).unwrap_or_default();
    let short_source = source.split('.').next().unwrap_or(&source).to_string();
    let params = v.get("requestParameters");
    let resource = find_text(params, RESOURCE_KEYS);
    let who = text(v, &["userIdentity", "sessionContext", "sessionIssuer", "userName"])
        .or(text(v, &["userIdentity", "userName"]))
        .or(text(v, &["userIdentity", "arn"]).map(|a| short_name(&a)))
        .or(text(v, &["userIdentity", "invokedBy"]));
    let mut message = format!("{name} on {} ({short_source})", resource.as_deref().unwrap_or("?"));
    if let Some(code) = &error {
        message += &format!(" failed: {code}");
        if let Some(m) = text(v, &["errorMessage"]) {
            message += &format!(": {m}");
        }
    }
    let id = text(v, &["eventID"]).or(at.text("EventId")).unwrap_or_else(|| format!("{name}@{}", time.to_rfc3339()));
    // A record has one time, the call's: `Recorded`.
    let mut c = faultline_model::Change { tool: Some(TOOL.into()), ..faultline_model::Change::new(id, time, message) };
    c.status = if error.is_some() { ChangeStatus::Failed } else { ChangeStatus::Succeeded };
    c.service = resource.as_deref().map(short_name);
    c.environment = text(v, &["awsRegion"]);
    c.author = who;
    // A task definition ARN ends in `family:revision`: keep both.
    c.revision = find_text(v.get("responseElements"), REVISION_KEYS)
        .or(find_text(params, REVISION_KEYS))
        .map(|s| s.rsplit('/').next().unwrap_or(&s).to_string());
    r.push(c, span);
    Ok(())
}

/// A lookup result without its embedded record: name, time, user and resources only.
fn read_lookup(
    e: &J<'_>,
    span: faultline_model::Span,
    r: &mut Reading<'_>,
    tally: &mut Tally<'_>,
) -> Result<(), SourceError> {
    let mut v = serde_json::Map::new();
    v.insert("eventName".into(), e.get("EventName").map_or(Value::Null, |x| x.value.clone()));
    v.insert("eventTime".into(), e.get("EventTime").map_or(Value::Null, |x| x.value.clone()));
    v.insert("eventSource".into(), e.get("EventSource").map_or(Value::Null, |x| x.value.clone()));
    v.insert("eventID".into(), e.get("EventId").map_or(Value::Null, |x| x.value.clone()));
    if let Some(ro) = e.get("ReadOnly") {
        v.insert("readOnly".into(), ro.value.clone());
    }
    if let Some(user) = e.text("Username") {
        v.insert("userIdentity".into(), serde_json::json!({ "userName": user }));
    }
    if let Some(res) =
        e.get("Resources").and_then(|x| x.items().into_iter().next()).and_then(|x| x.text("ResourceName"))
    {
        v.insert("requestParameters".into(), serde_json::json!({ "name": res }));
    }
    read_record(&Value::Object(v), e, span, r, tally)
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testutil::{run, utc, zone};
    use crate::SourceFormat;
    use faultline_model::{ChangeMoment, ChangeStatus};

    /// A trail log file as CloudTrail delivers it to S3 (one line, pretty-printed here).
    pub(crate) const TRAIL: &str = r#"{"Records": [
{"eventVersion": "1.09", "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:dana", "arn": "arn:aws:sts::111122223333:assumed-role/deploy/dana", "accountId": "111122223333", "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/deploy", "userName": "deploy"}}}, "eventTime": "2026-03-12T14:04:31Z", "eventSource": "lambda.amazonaws.com", "eventName": "UpdateFunctionConfiguration20150331v2", "awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.12", "userAgent": "aws-cli/2.15.30", "requestParameters": {"functionName": "checkout-signer", "environment": {}, "timeout": 3}, "responseElements": {"functionName": "checkout-signer", "version": "$LATEST", "revisionId": "5b1e2c3d-4f5a-6b7c-8d9e-0f1a2b3c4d5e"}, "requestID": "a1b2c3d4", "eventID": "6f1c2a7e-0b3d-4e5f-8a9b-c0d1e2f3a4b5", "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333"},
{"eventVersion": "1.09", "userIdentity": {"type": "IAMUser", "userName": "ci"}, "eventTime": "2026-03-12T14:05:00Z", "eventSource": "lambda.amazonaws.com", "eventName": "GetFunction20150331v2", "awsRegion": "eu-west-1", "requestParameters": {"functionName": "checkout-signer"}, "eventID": "11111111-2222-3333-4444-555555555555", "readOnly": true, "eventType": "AwsApiCall"},
{"eventVersion": "1.09", "userIdentity": {"type": "IAMUser", "userName": "intern"}, "eventTime": "2026-03-12T14:06:00Z", "eventSource": "ssm.amazonaws.com", "eventName": "PutParameter", "awsRegion": "eu-west-1", "errorCode": "AccessDenied", "requestParameters": null, "eventID": "22222222-3333-4444-5555-666666666666", "readOnly": false, "eventType": "AwsApiCall"},
{"eventVersion": "1.09", "userIdentity": {"type": "IAMUser", "userName": "sam"}, "eventTime": "2026-03-12T14:07:10Z", "eventSource": "ssm.amazonaws.com", "eventName": "PutParameter", "awsRegion": "eu-west-1", "requestParameters": {"name": "/checkout/prod/SIGNING_MODE", "type": "String", "overwrite": true}, "responseElements": {"version": 7, "tier": "Standard"}, "eventID": "33333333-4444-5555-6666-777777777777", "readOnly": false, "eventType": "AwsApiCall"},
{"eventVersion": "1.09", "userIdentity": {"type": "AWSService", "invokedBy": "ecs.amazonaws.com"}, "eventTime": "2026-03-12T14:07:30Z", "eventSource": "sts.amazonaws.com", "eventName": "AssumeRole", "awsRegion": "eu-west-1", "eventID": "44444444-5555-6666-7777-888888888888", "readOnly": true}
]}
"#;

    #[test]
    fn trail_records_keep_configuration_writes_only() {
        let (sink, report) = run(TRAIL, SourceFormat::CloudTrail, &zone("UTC"));
        assert_eq!((report.records, report.unparsed), (2, 0));
        let c = &sink.changes[0];
        assert_eq!(c.id, "6f1c2a7e-0b3d-4e5f-8a9b-c0d1e2f3a4b5");
        assert_eq!((c.time, c.moment), (utc("2026-03-12T14:04:31Z"), ChangeMoment::Recorded));
        assert_eq!(c.message, "UpdateFunctionConfiguration20150331v2 on checkout-signer (lambda)");
        assert_eq!(c.service.as_deref(), Some("checkout-signer"));
        assert_eq!(c.environment.as_deref(), Some("eu-west-1"));
        assert_eq!(c.author.as_deref(), Some("deploy"));
        assert_eq!(c.status, ChangeStatus::Succeeded);
        assert_eq!(c.span.line, 2);
        let p = &sink.changes[1];
        assert_eq!(p.message, "PutParameter on /checkout/prod/SIGNING_MODE (ssm)");
        assert_eq!(p.service.as_deref(), Some("SIGNING_MODE"));
        assert_eq!(p.revision.as_deref(), Some("7"));
        let notes = report.notes.join("\n");
        assert!(notes.contains("2 read-only API calls"), "{notes}");
        assert!(notes.contains("1 calls refused for lack of permission"), "{notes}");
    }

    #[test]
    fn one_record_per_line_is_read_too() {
        let lines: String = TRAIL
            .lines()
            .skip(1)
            .filter(|l| l.starts_with('{'))
            .map(|l| format!("{}\n", l.trim_end_matches(',')))
            .collect();
        assert!(super::looks_like(&super::super::sniff::sniff(lines.as_bytes()).unwrap()));
        let (sink, report) = run(&lines, SourceFormat::CloudTrail, &zone("UTC"));
        assert_eq!(report.records, 2);
        assert_eq!(sink.changes[1].span.line, 4);
    }

    #[test]
    fn lookup_events_read_the_embedded_record() {
        let lookup = r#"{
    "Events": [
        {
            "EventId": "6f1c2a7e-0b3d-4e5f-8a9b-c0d1e2f3a4b5",
            "EventName": "UpdateService",
            "ReadOnly": "false",
            "EventTime": "2026-03-12T15:04:31+01:00",
            "EventSource": "ecs.amazonaws.com",
            "Username": "dana",
            "Resources": [ { "ResourceType": "AWS::ECS::Service", "ResourceName": "arn:aws:ecs:eu-west-1:111122223333:service/shop/checkout" } ],
            "CloudTrailEvent": "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"dana\"},\"eventTime\":\"2026-03-12T14:04:31Z\",\"eventSource\":\"ecs.amazonaws.com\",\"eventName\":\"UpdateService\",\"awsRegion\":\"eu-west-1\",\"requestParameters\":{\"cluster\":\"shop\",\"service\":\"checkout\",\"taskDefinition\":\"arn:aws:ecs:eu-west-1:111122223333:task-definition/checkout:42\"},\"eventID\":\"6f1c2a7e-0b3d-4e5f-8a9b-c0d1e2f3a4b5\",\"readOnly\":false}"
        },
        {
            "EventId": "9a8b7c6d-0000-1111-2222-333344445555",
            "EventName": "ModifyDBInstance",
            "ReadOnly": "false",
            "EventTime": "2026-03-12T15:10:00+01:00",
            "EventSource": "rds.amazonaws.com",
            "Username": "sam",
            "Resources": [ { "ResourceType": "AWS::RDS::DBInstance", "ResourceName": "payments-db" } ]
        }
    ]
}
"#;
        let (sink, report) = run(lookup, SourceFormat::CloudTrail, &zone("UTC"));
        assert_eq!(report.records, 2);
        let c = &sink.changes[0];
        assert_eq!(c.service.as_deref(), Some("checkout"));
        assert_eq!(c.revision.as_deref(), Some("checkout:42"));
        assert_eq!(c.span.line, 3);
        let db = &sink.changes[1];
        assert_eq!((db.time, db.service.as_deref()), (utc("2026-03-12T14:10:00Z"), Some("payments-db")));
        assert_eq!(db.author.as_deref(), Some("sam"));
    }
}
