//! Imports of uploaded spreadsheets (GraphQL multipart request): all rows
//! or none, each row under the same access rules as the single mutations.

use std::io::Read;
use std::sync::Arc;

use async_graphql::{Context, Object, Result, Upload};

use crate::audit::Actor;
use crate::error::AppError;
use crate::graphql::context::{now, ContextExt};
use crate::graphql::types::import::ImportReport;
use crate::import::{import, read, Format, ImportKind};
use crate::limits::Limits;

#[derive(Default)]
pub struct ImportMutation;

/// Permits for uploaded imports running at once (`Limits::imports_at_once`).
#[derive(Clone)]
pub struct ImportSlots(Arc<tokio::sync::Semaphore>);

impl ImportSlots {
    pub fn new(at_once: usize) -> Self {
        ImportSlots(Arc::new(tokio::sync::Semaphore::new(at_once.max(1))))
    }

    /// Imports that could start now.
    pub fn free(&self) -> usize {
        self.0.available_permits()
    }
}

async fn import_upload(
    ctx: &Context<'_>,
    kind: ImportKind,
    file: Upload,
    dry_run: bool,
) -> Result<ImportReport> {
    ctx.viewer().require_signed_in()?;
    // Held until the import's work ends, rehearsal and apply alike, even
    // when the caller goes away before it does.
    let slot = ctx
        .data_unchecked::<ImportSlots>()
        .0
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            AppError::RateLimited(
                "as many imports as this server runs at once are running; try again when one has ended".to_owned(),
            )
        })?;
    let upload = file.value(ctx)?;
    let format = Format::of_name(&upload.filename)?;
    let limits = ctx.data_unchecked::<Limits>().read;
    let (db, viewer) = (ctx.db().clone(), ctx.viewer().clone());
    let request_id = ctx.request().request_id.clone();
    // Reading a file is CPU work, then the import is rehearsed on a read
    // snapshot and (unless a dry run) applied (see `crate::import`): all
    // off the async runtime, in one task that holds the slot.
    let report = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let mut bytes = Vec::new();
        upload.into_read().read_to_end(&mut bytes).map_err(|e| {
            AppError::bad_input("file", format!("the upload could not be read: {e}"))
        })?;
        let sheet = read(&bytes, format, &limits)?;
        drop(bytes);
        let actor = Actor::new(&viewer, now(), request_id.as_deref());
        import(&db, &actor, kind, &sheet, dry_run)
    })
    .await
    .map_err(AppError::internal)??;
    Ok(ImportReport::from(report))
}

#[Object]
impl ImportMutation {
    /// Imports units from an uploaded .csv or .xlsx (columns: `code`,
    /// `name`, `unit_type`, `parent_code`, `org_form`, `host_code`,
    /// `team_category`, `founded_on`, `service_station`, `wechat_group`,
    /// `notes`, or their Chinese headers; see `templates/units.csv`). A code
    /// an active unit holds updates that unit; parents may come later in
    /// the file.
    async fn import_units(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file (multipart upload).")] file: Upload,
        #[graphql(
            desc = "Check every row and count what would change; write nothing.",
            default = false
        )]
        dry_run: bool,
    ) -> Result<ImportReport> {
        import_upload(ctx, ImportKind::Units, file, dry_run).await
    }

    /// Imports people (and one post each, optionally) from an uploaded .csv
    /// or .xlsx (columns: `name`, `gender`, `birth_date`, `phone`,
    /// `education`, `political_status`, `status_since`, `capable_talent`,
    /// `unit_code`, `notes`, `role`, `started_on`, `also_village_director`,
    /// or their Chinese headers; see `templates/people.csv`). The same name,
    /// birth date and unit is the same person.
    async fn import_people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file (multipart upload).")] file: Upload,
        #[graphql(
            desc = "Check every row and count what would change; write nothing.",
            default = false
        )]
        dry_run: bool,
    ) -> Result<ImportReport> {
        import_upload(ctx, ImportKind::People, file, dry_run).await
    }

    /// Imports households from an uploaded .csv or .xlsx (columns:
    /// `unit_code`, `address`, `registered_on`, `head_name`, `notes`, or
    /// their Chinese headers; see `templates/households.csv`). The open
    /// household at a group's address is updated, not duplicated.
    async fn import_households(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file (multipart upload).")] file: Upload,
        #[graphql(
            desc = "Check every row and count what would change; write nothing.",
            default = false
        )]
        dry_run: bool,
    ) -> Result<ImportReport> {
        import_upload(ctx, ImportKind::Households, file, dry_run).await
    }

    /// Imports point records from an uploaded .csv or .xlsx (columns:
    /// `unit_code`, `address`, `recorded_on`, `item` (its code or
    /// description), `points`, `note`, or their Chinese headers; see
    /// `templates/point-records.csv`). Each row is recorded as
    /// `recordPoints` records it (the same access, caps and list in force);
    /// a row equal to a record already made is that record.
    async fn import_point_records(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file (multipart upload).")] file: Upload,
        #[graphql(
            desc = "Check every row and count what would change; write nothing.",
            default = false
        )]
        dry_run: bool,
    ) -> Result<ImportReport> {
        import_upload(ctx, ImportKind::PointRecords, file, dry_run).await
    }

    /// Imports villages' yearly collective incomes from an uploaded .csv or
    /// .xlsx (columns: `unit_code`, `year`, `income_yuan`, `sources`,
    /// `notes`, or their Chinese headers 村(社区)编码, 年度,
    /// 村集体经营性收入(元), 收入来源, 备注). Each row is set as
    /// `setVillageIncome` sets it (the same access and rules); a row equal
    /// to the figure on record is unchanged.
    async fn import_village_incomes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file (multipart upload).")] file: Upload,
        #[graphql(
            desc = "Check every row and count what would change; write nothing.",
            default = false
        )]
        dry_run: bool,
    ) -> Result<ImportReport> {
        import_upload(ctx, ImportKind::VillageIncomes, file, dry_run).await
    }
}
