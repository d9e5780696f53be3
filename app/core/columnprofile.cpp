#include "columnprofile.h"

#include "readonlydb.h"

#include <QDateTime>
#include <QLocale>
#include <QSqlError>
#include <QSqlQuery>

#include <cmath>

namespace {

using ReadOnlyDb::run;

bool ordered(FieldType type)
{
    return isNumeric(type) || type == FieldType::Timestamp || type == FieldType::Date ||
           type == FieldType::Text;
}

// A value as the profile shows it: booleans as true/false on both engines (SQLite's are 1/0).
QVariant shown(FieldType type, const QVariant &value)
{
    if (type == FieldType::Boolean && !value.isNull())
        return value.toLongLong() != 0;
    return value;
}

QString literal(double number)
{
    return QString::number(number, 'g', 17);
}

QDateTime moment(const QVariant &iso)
{
    const QString text = iso.toString();
    return text.size() == 10 ? QDate::fromString(text, Qt::ISODate).startOfDay(Qt::UTC)
                             : QDateTime::fromString(text, Qt::ISODateWithMs);
}

HistogramUnit dateUnit(const QDateTime &from, const QDateTime &to)
{
    const qint64 days = from.daysTo(to);
    if (days <= 62)
        return HistogramUnit::Day;
    if (days <= 2 * 366)
        return HistogramUnit::Week;
    if (days <= 10 * 366)
        return HistogramUnit::Month;
    return HistogramUnit::Year;
}

// A bin by where it starts ("1,495"): short enough to stand under a narrow bar; the next bin's start ends it.
QString numberLabel(double from, bool integers)
{
    const QLocale locale;
    if (integers) // the bin's smallest whole number
        return locale.toString(qint64(std::ceil(from)));
    if (std::abs(from) >= 1000)
        return locale.toString(from, 'f', 0);
    return locale.toString(from, 'g', 4);
}

// A day, week, month or year bucket ("2024-12-02", "2024-12", "2024") as the span it covers.
HistogramBin dateBin(HistogramUnit unit, const QString &label, qint64 count)
{
    const QDate start = unit == HistogramUnit::Year    ? QDate(label.toInt(), 1, 1)
                        : unit == HistogramUnit::Month ? QDate::fromString(label, QStringLiteral("yyyy-MM"))
                                                       : QDate::fromString(label, Qt::ISODate);
    const QDate end = unit == HistogramUnit::Year    ? start.addYears(1)
                      : unit == HistogramUnit::Month ? start.addMonths(1)
                      : unit == HistogramUnit::Week  ? start.addDays(7)
                                                     : start.addDays(1);
    return {label, count, double(start.startOfDay(Qt::UTC).toMSecsSinceEpoch()),
            double(end.startOfDay(Qt::UTC).toMSecsSinceEpoch())};
}

} // namespace

namespace ColumnProfiler {

bool profile(const QSqlDatabase &db, const RecordsQuery &query, int column, ColumnProfile *out,
             QString *error, const std::function<bool(Step)> &step)
{
    const auto announce = [&](Step s) {
        if (!step || step(s))
            return true;
        *error = QStringLiteral("cancelled");
        return false;
    };
    *out = {};
    out->name = query.columnName(column);
    out->type = query.columnType(column);
    const bool hasOrder = ordered(out->type);
    QVariantList binds;
    const QString source = QStringLiteral("SELECT %1 AS v FROM records WHERE %2")
                               .arg(query.sqlValue(column), query.where(&binds));

    if (!announce(Step::Counts))
        return false;
    QSqlQuery q(db);
    const QString extremes = hasOrder ? QStringLiteral("min(v), max(v)") : QStringLiteral("NULL, NULL");
    if (!run(q,
             QStringLiteral("SELECT count(*), count(v), count(DISTINCT v), %1 FROM (%2) AS t")
                 .arg(extremes, source),
             binds, error))
        return false;
    if (!q.next()) {
        *error = q.lastError().text();
        return false;
    }
    out->rows = q.value(0).toLongLong();
    out->nulls = out->rows - q.value(1).toLongLong();
    out->distinct = q.value(2).toLongLong();
    out->min = ReadOnlyDb::value(q, 3);
    out->max = ReadOnlyDb::value(q, 4);
    q.finish();

    if (!announce(Step::TopValues))
        return false;
    if (!run(
            q,
            QStringLiteral("SELECT v, count(*) AS n FROM (%1) AS t WHERE v IS NOT NULL GROUP BY v ORDER BY n "
                           "DESC, v LIMIT %2")
                .arg(source)
                .arg(kTopValues),
            binds, error))
        return false;
    while (q.next())
        out->top.append({shown(out->type, ReadOnlyDb::value(q, 0)), q.value(1).toLongLong()});
    q.finish();

    if (out->min.isNull() || out->max.isNull())
        return true; // nothing ordered to bin
    if (!announce(Step::Histogram))
        return false;
    const CatalogDialect &dialect = query.dialect();
    QString bucket;
    double low = 0, width = 1;
    int bins = 0;
    const bool integers = out->type == FieldType::Integer;
    if (isNumeric(out->type)) {
        low = out->min.toDouble();
        const double span = out->max.toDouble() - low;
        const bool unitBins = integers && span < kNumberBins; // 0, 1, 2 … each a bar of its own
        bins = unitBins ? int(span) + 1 : span > 0 ? kNumberBins : 1;
        width = unitBins || span <= 0 ? 1.0 : span / kNumberBins;
        out->unit = HistogramUnit::Number;
        // The top value falls in the last bin, not one past it.
        bucket = QStringLiteral("CASE WHEN v >= %1 THEN %2 ELSE %3 END")
                     .arg(literal(low + width * bins))
                     .arg(bins - 1)
                     .arg(dialect.floorOf(QStringLiteral("(v - %1) / %2").arg(literal(low), literal(width))));
    } else if (out->type == FieldType::Timestamp || out->type == FieldType::Date) {
        out->unit = dateUnit(moment(out->min), moment(out->max));
        bucket = dialect.dateBucket(QStringLiteral("v"), out->unit, out->type);
    } else {
        return true; // text: the top values are its distribution
    }
    if (!run(
            q,
            QStringLiteral("SELECT b, count(*) FROM (SELECT %1 AS b FROM (%2) AS t WHERE v IS NOT NULL) AS u "
                           "GROUP BY b ORDER BY b")
                .arg(bucket, source),
            binds, error))
        return false;
    QHash<qint64, qint64> counts;
    while (q.next()) {
        if (out->unit == HistogramUnit::Number)
            counts.insert(q.value(0).toLongLong(), q.value(1).toLongLong());
        else
            out->histogram.append(
                dateBin(out->unit, ReadOnlyDb::value(q, 0).toString(), q.value(1).toLongLong()));
    }
    for (int b = 0; b < bins; ++b) // every bin, the empty ones too: a gap is part of the shape
        out->histogram.append({numberLabel(low + b * width, integers), counts.value(b), low + b * width,
                               low + (b + 1) * width});
    return true;
}

} // namespace ColumnProfiler
