use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use waymark_store::{DependencyId, PlanId, WorkPackageId};

use super::dto::{Created, DependencyList};
use super::etag::IfMatch;
use super::{parse_body, path_id, plan_register};
use crate::AppState;
use crate::access::{Can, EditPlan, Read};
use crate::error::{ApiError, FieldError};

#[utoipa::path(get, operation_id = "listDependencies", path = "/api/v1/plans/{id}/dependencies", tag = "dependencies", params(("id" = i64, Path)), responses((status = 200, body = DependencyList)))]
pub async fn list(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DependencyList>, ApiError> {
    let items = plan_register(&state, &id, |s, id| s.dependencies(id)).await?;
    Ok(Json(DependencyList { items }))
}

/// A finish-to-start dependency: the successor waits for the predecessor.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDependency {
    pub predecessor_id: i64,
    pub successor_id: i64,
}

#[utoipa::path(post, operation_id = "createDependency", path = "/api/v1/plans/{id}/dependencies", tag = "dependencies", params(("id" = i64, Path)), request_body = NewDependency,
    responses((status = 201, body = Created), (status = 422, description = "Unknown package, other plan, or a cycle", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let new: NewDependency = parse_body(&body)?;
    let (p, s) = (
        WorkPackageId(new.predecessor_id),
        WorkPackageId(new.successor_id),
    );
    let dep = state
        .run(move |st| {
            let pred = st
                .work_package(p)
                .map_err(|_| waymark_store::StoreError::Invalid {
                    field: "predecessor_id",
                    message: format!("there is no work package {p}"),
                })?;
            if pred.row.plan_id != plan {
                return Err(waymark_store::StoreError::Invalid {
                    field: "predecessor_id",
                    message: format!("work package {p} is not in plan {plan}"),
                });
            }
            st.add_dependency(p, s, &by)
        })
        .await
        .map_err(|e| match e {
            ApiError::NotFound(what) => ApiError::Validation(vec![FieldError::new(
                "successor_id",
                format!("{what} was not found"),
            )]),
            other => other,
        })?;
    Ok((StatusCode::CREATED, Json(Created { id: dep.0 })))
}

#[utoipa::path(delete, operation_id = "deleteDependency", path = "/api/v1/dependencies/{id}", tag = "dependencies", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_one(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = DependencyId(path_id(&id, "Dependency")?);
    state
        .run(move |s| s.delete_dependency(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
