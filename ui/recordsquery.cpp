#include "recordsquery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>

namespace {

QString sqlString(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\''), QStringLiteral("''"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

QString jsonPath(const QString &field)
{
    // A quoted label keeps dots and spaces in field names literal. Fields with a '"' are never sampled.
    return sqlString(QStringLiteral("$.\"%1\"").arg(field));
}

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    escaped.replace(QLatin1Char('%'), QStringLiteral("\\%"));
    escaped.replace(QLatin1Char('_'), QStringLiteral("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

} // namespace

QString RecordsQuery::sqlValue(int column) const
{
    if (column <= 0)
        return QStringLiteral("record_key");
    return QStringLiteral("json_extract(data, %1)").arg(jsonPath(fields.value(column - 1)));
}

QString RecordsQuery::sqlJson(int column) const
{
    if (column <= 0)
        return QStringLiteral("record_key");
    return QStringLiteral("(data -> %1)").arg(jsonPath(fields.value(column - 1)));
}

QString RecordsQuery::where(QVariantList *binds) const
{
    QStringList terms{QStringLiteral("connection_id = ?"), QStringLiteral("entity = ?")};
    binds->append(connectionId);
    binds->append(entity);

    const QString needle = text.trimmed();
    if (!needle.isEmpty()) {
        // A cheap substring test on the raw JSON first, when the needle cannot be JSON-escaped differently,
        // then the exact test on the key and the decoded top-level values.
        static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9 @._:+-]+$"));
        if (plain.match(needle).hasMatch()) {
            terms << QStringLiteral("(instr(lower(data), lower(?)) > 0 OR record_key LIKE ? ESCAPE '\\')");
            binds->append(needle);
            binds->append(likePattern(needle));
        }
        terms << QStringLiteral(
            "(record_key LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM json_each(records.data) j "
            "WHERE j.value LIKE ? ESCAPE '\\'))");
        binds->append(likePattern(needle));
        binds->append(likePattern(needle));
    }

    for (auto it = columnFilters.constBegin(); it != columnFilters.constEnd(); ++it) {
        const int column = it.key();
        QString filter = it.value().trimmed();
        if (filter.isEmpty() || column < 0 || column >= columnCount())
            continue;
        static const QRegularExpression op(QStringLiteral("^(>=|<=|!=|=|>|<)\\s*(.*)$"));
        const QRegularExpressionMatch m = op.match(filter);
        const QString value = sqlValue(column);
        if (!m.hasMatch()) {
            terms << QStringLiteral("CAST(%1 AS TEXT) LIKE ? ESCAPE '\\'").arg(value);
            binds->append(likePattern(filter));
            continue;
        }
        const QString oper = m.captured(1);
        const QString operand = m.captured(2).trimmed();
        if ((oper == QLatin1String("=") || oper == QLatin1String("!=")) &&
            (operand.isEmpty() || operand == QLatin1String("null"))) {
            terms << QStringLiteral("%1 IS %2NULL")
                         .arg(value, oper == QLatin1String("!=") ? QStringLiteral("NOT ") : QString());
            continue;
        }
        QVariant bound = operand;
        bool isNumber = false;
        const double number = operand.toDouble(&isNumber);
        if (isNumber)
            bound = number;
        else if (operand == QLatin1String("true"))
            bound = 1; // json_extract gives SQL 1/0 for JSON booleans
        else if (operand == QLatin1String("false"))
            bound = 0;
        terms << QStringLiteral("%1 %2 ?").arg(value,
                                               oper == QLatin1String("!=") ? QStringLiteral("IS NOT") : oper);
        binds->append(bound);
    }
    return terms.join(QStringLiteral(" AND "));
}

QString RecordsQuery::pageSql(QVariantList *binds, int limit, int offset, const QVariant &afterKey) const
{
    QStringList columns{QStringLiteral("record_key")};
    for (int c = 1; c < columnCount(); ++c)
        columns << sqlJson(c);
    QString sql = QStringLiteral("SELECT %1 FROM records WHERE %2")
                      .arg(columns.join(QStringLiteral(", ")), where(binds));
    const QString direction = order == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC");
    if (sortColumn <= 0) {
        // Keyset paging on the (connection_id, entity, record_key) index: every page costs the same.
        if (afterKey.isValid() && !afterKey.isNull()) {
            sql += order == Qt::AscendingOrder ? QStringLiteral(" AND record_key > ?")
                                               : QStringLiteral(" AND record_key < ?");
            binds->append(afterKey);
        }
        sql += QStringLiteral(" ORDER BY record_key %1 LIMIT %2").arg(direction).arg(limit);
    } else {
        sql += QStringLiteral(" ORDER BY %1 %2, record_key %2 LIMIT %3 OFFSET %4")
                   .arg(sqlValue(sortColumn), direction)
                   .arg(limit)
                   .arg(offset);
    }
    return sql;
}

QString RecordsQuery::allSql(QVariantList *binds, bool rawData) const
{
    QStringList columns{QStringLiteral("record_key")};
    if (rawData) {
        columns << QStringLiteral("data");
    } else {
        for (int c = 1; c < columnCount(); ++c)
            columns << sqlJson(c);
    }
    const QString direction = order == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC");
    QString orderBy = sortColumn <= 0
                          ? QStringLiteral("record_key %1").arg(direction)
                          : QStringLiteral("%1 %2, record_key %2").arg(sqlValue(sortColumn), direction);
    return QStringLiteral("SELECT %1 FROM records WHERE %2 ORDER BY %3")
        .arg(columns.join(QStringLiteral(", ")), where(binds), orderBy);
}

QString RecordsQuery::countSql(QVariantList *binds) const
{
    return QStringLiteral("SELECT count(*) FROM records WHERE %1").arg(where(binds));
}

QString RecordsQuery::sampleFieldsSql()
{
    return QStringLiteral(
        "SELECT j.key, j.type FROM (SELECT data FROM records WHERE connection_id = ? AND entity = ? "
        "ORDER BY record_key LIMIT 100) r, json_each(r.data) j WHERE json_valid(r.data)");
}

QVariant RecordsQuery::fromJsonText(const QVariant &jsonText)
{
    if (!jsonText.isValid() || jsonText.isNull())
        return {}; // the record has no such field
    const QString text = jsonText.toString();
    if (text.isEmpty())
        return {};
    const QChar first = text.at(0);
    if (first == QLatin1Char('"')) {
        if (!text.contains(QLatin1Char('\\')))
            return text.mid(1, text.size() - 2);
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + "]");
        return doc.array().at(0).toString();
    }
    if (text == QLatin1String("null"))
        return QVariant(QMetaType::fromType<std::nullptr_t>());
    if (text == QLatin1String("true"))
        return true;
    if (text == QLatin1String("false"))
        return false;
    if (first == QLatin1Char('-') || first.isDigit()) {
        bool ok = false;
        const qlonglong integer = text.toLongLong(&ok);
        if (ok)
            return integer;
        const double real = text.toDouble(&ok);
        if (ok)
            return real;
    }
    return text; // object or array: its JSON text
}

QString RecordsQuery::toText(const QVariant &value)
{
    if (!value.isValid())
        return {};
    if (value.metaType() == QMetaType::fromType<std::nullptr_t>())
        return QStringLiteral("null");
    if (value.metaType() == QMetaType::fromType<bool>())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.metaType() == QMetaType::fromType<double>())
        return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
    return value.toString();
}
