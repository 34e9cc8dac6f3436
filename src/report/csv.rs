//! The coverage report as CSV: sections separated by an empty line, each
//! headed by its title, in the order of the xlsx sheets.

use super::csv_cell;
use super::{forms_at, percent, reason_label, CoverageReport};
use crate::domain::coverage::Counts;
use crate::error::{AppError, AppResult};

/// The header of a counts row, after its first column.
pub(crate) const COUNT_HEADERS: [&str; 5] = ["总数", "已覆盖", "未覆盖", "覆盖率", "链条断点"];

/// The header of a gap list.
pub(crate) const GAP_HEADERS: [&str; 6] = ["名称", "编码", "类型", "所属", "组织形式", "原因"];

pub(crate) fn count_cells(c: &Counts) -> [String; 5] {
    [
        c.total.to_string(),
        c.covered.to_string(),
        c.gaps().to_string(),
        percent(c),
        c.chain_gaps.to_string(),
    ]
}

pub(super) fn render(r: &CoverageReport) -> AppResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let io = |e: csv::Error| AppError::internal(format!("writing the csv report: {e}"));
    // A UTF-8 byte order mark, so spreadsheet programs read the Chinese.
    w.write_record(["\u{feff}党组织覆盖情况统计表", &*csv_cell(&r.scope)])
        .map_err(io)?;
    w.write_record(["生成时间", &r.generated_local()])
        .map_err(io)?;
    w.write_record([""]).map_err(io)?;
    w.write_record(["汇总"]).map_err(io)?;
    w.write_record(std::iter::once("层级").chain(COUNT_HEADERS))
        .map_err(io)?;
    for (level, counts, _) in r.levels() {
        w.write_record(std::iter::once(level.label().to_owned()).chain(count_cells(counts)))
            .map_err(io)?;
    }
    w.write_record(std::iter::once("合计".to_owned()).chain(count_cells(&r.coverage.all)))
        .map_err(io)?;
    for (level, _, types) in r.levels() {
        let forms = forms_at(level);
        w.write_record([""]).map_err(io)?;
        w.write_record([format!("{} 分类型", level.label())])
            .map_err(io)?;
        w.write_record(
            std::iter::once("类型")
                .chain(COUNT_HEADERS)
                .chain(forms.iter().map(|f| f.label())),
        )
        .map_err(io)?;
        for (unit_type, c) in types {
            let by_form = forms
                .iter()
                .map(|f| c.by_form.get(f).copied().unwrap_or_default().to_string());
            w.write_record(
                std::iter::once(unit_type.label().to_owned())
                    .chain(count_cells(c))
                    .chain(by_form),
            )
            .map_err(io)?;
        }
        w.write_record([""]).map_err(io)?;
        w.write_record([format!("{} 未覆盖单位", level.label())])
            .map_err(io)?;
        w.write_record(GAP_HEADERS).map_err(io)?;
        for g in r.gaps_at(level) {
            w.write_record([
                &*csv_cell(&g.name),
                &*csv_cell(&g.code),
                g.unit_type.label(),
                &*csv_cell(&g.path),
                g.form.label(),
                reason_label(g.reason),
            ])
            .map_err(io)?;
        }
    }
    w.into_inner()
        .map_err(|e| AppError::internal(format!("writing the csv report: {e}")))
}
