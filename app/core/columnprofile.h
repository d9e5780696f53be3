// A column's profile over every record a RecordsQuery matches, not a sample (Power Query's column quality,
// distribution and profile): rows, nulls, distinct values, min/max, the most frequent values and a histogram
// (numbers in equal bins, dates and timestamps by day, week, month or year). A few aggregate statements on
// a read-only connection; run it off the GUI thread. Headless: the app's profile panel and tests use it.
#pragma once

#include "recordsquery.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QVariant>

#include <functional>

enum class HistogramUnit { None, Number, Day, Week, Month, Year };

struct HistogramBin
{
    QString label; // where it starts: "1,495", "2024-12-01" (a week by its Monday), "2024-12", "2024"
    qint64 count = 0;
    double from = 0, to = 0; // the bin as [from, to): numbers, or for dates milliseconds since 1970 (UTC)
};

struct ColumnProfile
{
    QString name;
    FieldType type = FieldType::Unknown;
    qint64 rows = 0;     // records the query matches
    qint64 nulls = 0;    // of them, null or without the field
    qint64 distinct = 0; // distinct non-null values
    QVariant min, max;   // numbers, ISO-8601 text for dates and timestamps, text; invalid when not ordered
    QList<QPair<QVariant, qint64>> top; // the most frequent non-null values, most frequent first
    HistogramUnit unit = HistogramUnit::None;
    QList<HistogramBin> histogram;

    double nullShare() const { return rows ? double(nulls) / double(rows) : 0.0; }
};

namespace ColumnProfiler {
constexpr int kTopValues = 10;
constexpr int kNumberBins = 20;
enum class Step { Counts, TopValues, Histogram };
// Profiles `column` of `query` on `db`. False with `error` when a statement fails (or a QueryCanceller
// stopped it). `step` hears each step as it starts; when it returns false the profile stops there.
bool profile(const QSqlDatabase &db, const RecordsQuery &query, int column, ColumnProfile *out,
             QString *error, const std::function<bool(Step)> &step = {});
} // namespace ColumnProfiler
