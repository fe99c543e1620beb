//! The parent → child links: every parent exists, and no chain of parents comes back on itself.

use super::ResourcePlan;
use crate::SourceError;

/// Checks every resource's parent.
pub(super) fn check(resources: &[ResourcePlan]) -> Result<(), SourceError> {
    let parent_of = |name: &str| {
        resources
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.parent.as_deref())
    };
    for resource in resources {
        let Some(parent) = &resource.parent else {
            continue;
        };
        if !resources.iter().any(|r| &r.name == parent) {
            let key = resource.resolved.first().map_or_else(
                || "endpoint.params".to_owned(),
                |r| format!("endpoint.params.{}", r.name),
            );
            return Err(SourceError::invalid(
                Some(&resource.name),
                key,
                format!("refers to a parent resource `{parent}` that does not exist"),
            ));
        }
        // Each step moves to a parent; a chain longer than the resource count has come back.
        let mut chain = vec![resource.name.as_str()];
        let mut current = Some(parent.as_str());
        while let Some(name) = current {
            if chain.contains(&name) {
                chain.push(name);
                return Err(SourceError::invalid(
                    Some(&resource.name),
                    "endpoint.params",
                    format!(
                        "the resources depend on each other in a cycle: {}",
                        chain.join(" -> ")
                    ),
                ));
            }
            chain.push(name);
            if chain.len() > resources.len() + 1 {
                break;
            }
            current = parent_of(name);
        }
    }
    Ok(())
}
