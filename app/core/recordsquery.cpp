#include "recordsquery.h"

#include "catalog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>
#include <QSqlQuery>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("RecordsQuery", text);
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

QString RecordsQuery::columnName(int column) const
{
    return column <= 0 ? keyName : FieldSql::label(fields.value(column - 1).path);
}

FieldType RecordsQuery::columnType(int column) const
{
    if (column <= 0)
        return keyType == FieldType::Integer ? FieldType::Integer : FieldType::Text;
    return column <= fields.size() ? fields.at(column - 1).type() : FieldType::Unknown;
}

void RecordsQuery::loadColumns(const QSqlDatabase &db, bool flatten)
{
    fields.clear();
    keyType = FieldType::Unknown;
    QList<FieldStats> schema = Catalog::entityFields(db, connectionId, entity);
    if (!flatten)
        schema.removeIf([](const FieldStats &field) { return field.path.contains(QLatin1Char('\t')); });
    for (const FieldStats &field : FieldSql::columnFields(schema)) {
        if (field.path == keyName)
            keyType = field.type();
        else if (fields.size() < kMaxColumns)
            fields.append(field);
    }
    if (!schema.isEmpty())
        return;
    // Synced before schemas were kept: a sample's top-level fields, plain values before objects/arrays.
    QSqlQuery query(db);
    query.prepare(dialect().sampleFieldsSql());
    query.addBindValue(connectionId);
    query.addBindValue(entity);
    QStringList scalars, compounds;
    if (query.exec()) {
        while (query.next() && scalars.size() + compounds.size() < 80) {
            const QString field = query.value(0).toString();
            const QString type = query.value(1).toString();
            if (field.isEmpty() || field == keyName || field.contains(QLatin1Char('"')) ||
                field.contains(QLatin1Char('\t')) || scalars.contains(field))
                continue;
            if (type == QLatin1String("object") || type == QLatin1String("array")) {
                if (!compounds.contains(field))
                    compounds << field;
            } else {
                compounds.removeAll(field); // a plain value in some record: listed with the plain ones
                scalars << field;
            }
        }
    }
    for (const QString &field : scalars + compounds)
        fields.append(FieldStats{field, int(fields.size()), FieldType::Unknown, {}});
}

QString RecordsQuery::sqlValue(int column) const
{
    if (column <= 0)
        return keyType == FieldType::Integer ? dialect().integerKey() : QStringLiteral("record_key");
    const FieldStats &field = fields.at(column - 1);
    return dialect().typed(field, QStringLiteral("data"), field.path);
}

QString RecordsQuery::sqlDisplay(int column) const
{
    if (column <= 0)
        return QStringLiteral("record_key");
    const FieldStats &field = fields.at(column - 1);
    if (!isTyped(column))
        return dialect().jsonText(QStringLiteral("data"), field.path);
    if (rawValues && field.type() == FieldType::Timestamp)
        return dialect().raw(QStringLiteral("data"), field.path);
    return dialect().shown(field, QStringLiteral("data"), field.path);
}

namespace {

struct Comparison
{
    QString op; // "", "=", "!=", ">", ">=", "<", "<="; "" is "contains"
    QString operand;
};

Comparison parseFilter(const QString &filter)
{
    static const QRegularExpression op(QStringLiteral("^(>=|<=|!=|=|>|<)\\s*(.*)$"));
    const QRegularExpressionMatch m = op.match(filter.trimmed());
    if (!m.hasMatch())
        return {QString(), filter.trimmed()};
    return {m.captured(1), m.captured(2).trimmed()};
}

bool isNullOperand(const Comparison &c)
{
    return (c.op == QLatin1String("=") || c.op == QLatin1String("!=")) &&
           (c.operand.isEmpty() || c.operand == QLatin1String("null"));
}

// A date or date-time the analyst typed, read in local time (as the browser shows timestamps); a bare date
// spans its day. Returns false when it is neither.
bool parseMoment(const QString &text, QDateTime *start, QDateTime *end)
{
    const QDate date = text.size() == 10 ? QDate::fromString(text, Qt::ISODate) : QDate();
    if (date.isValid()) {
        *start = date.startOfDay();
        *end = date.addDays(1).startOfDay();
        return true;
    }
    QString normal = text;
    normal.replace(QLatin1Char(' '), QLatin1Char('T'));
    const QDateTime moment = QDateTime::fromString(normal, Qt::ISODateWithMs);
    if (!moment.isValid())
        return false;
    // The span the text names: "14:30" a minute, "14:30:05" a second, "14:30:05.250" a millisecond.
    static const QRegularExpression offset(QStringLiteral("(Z|[+-]\\d\\d:?\\d\\d)$"));
    const QString time = normal.mid(11).remove(offset);
    *start = moment;
    if (time.contains(QLatin1Char('.')))
        *end = moment.addMSecs(1);
    else
        *end = moment.addSecs(time.count(QLatin1Char(':')) >= 2 ? 1 : 60);
    return true;
}

QString isoUtc(const QDateTime &moment)
{
    return moment.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + QLatin1Char('Z');
}

// A comparison with the span [start, end) the analyst typed. Timestamps compare as ISO-8601 UTC text, dates
// as ISO date text; "= 2024-12-01" is that whole local day, "> 2024-12-01" after it.
QString momentTerm(const Comparison &c, const QString &value, bool date, const QDateTime &start,
                   const QDateTime &end, QVariantList *binds)
{
    const QString from = date ? start.date().toString(Qt::ISODate) : isoUtc(start);
    const QString to = date ? end.date().toString(Qt::ISODate) : isoUtc(end);
    if (c.op == QLatin1String("=") || c.op == QLatin1String("!=")) {
        binds->append(from);
        binds->append(to);
        return QStringLiteral("%1(%2 >= ? AND %2 < ?)")
            .arg(c.op == QLatin1String("!=") ? QStringLiteral("NOT ") : QString(), value);
    }
    // > x: from the end of x's span; >= x: from its start; < x: before its start; <= x: before its end.
    const bool after = c.op.startsWith(QLatin1Char('>'));
    const bool inclusive = c.op.endsWith(QLatin1Char('='));
    binds->append(after == inclusive ? from : to);
    return QStringLiteral("%1 %2 ?").arg(value, after ? QStringLiteral(">=") : QStringLiteral("<"));
}

} // namespace

QString RecordsQuery::filterProblem(int column) const
{
    const Comparison c = parseFilter(columnFilters.value(column));
    if (c.op.isEmpty() || isNullOperand(c))
        return {};
    const QString name = columnName(column);
    const FieldType type = columnType(column);
    QDateTime start, end;
    bool ok = true;
    if (isNumeric(type))
        c.operand.toDouble(&ok);
    if (!ok)
        return tr("%1 holds numbers: “%2” is not one.").arg(name, c.operand);
    if ((type == FieldType::Timestamp || type == FieldType::Date) && !parseMoment(c.operand, &start, &end))
        return tr("%1 holds dates: write one as 2024-12-01 or 2024-12-01 14:30.").arg(name);
    if (type == FieldType::Boolean && c.operand != QLatin1String("true") &&
        c.operand != QLatin1String("false"))
        return tr("%1 holds true or false.").arg(name);
    return {};
}

QString RecordsQuery::filterTerm(int column, const QString &filter, QVariantList *binds) const
{
    const Comparison c = parseFilter(filter);
    const QString value = sqlValue(column);
    const FieldType type = columnType(column);
    if (c.op.isEmpty()) {
        const QString shown = isTyped(column) ? sqlDisplay(column) : value;
        binds->append(likePattern(c.operand));
        return QStringLiteral("CAST(%1 AS TEXT) %2 ? ESCAPE '\\'")
            .arg(shown, dialect().caseInsensitiveLike());
    }
    if (isNullOperand(c))
        return QStringLiteral("%1 IS %2NULL")
            .arg(value, c.op == QLatin1String("!=") ? QStringLiteral("NOT ") : QString());
    if (!filterProblem(column).isEmpty())
        return {};
    const QString op = c.op == QLatin1String("!=") ? dialect().notEqual() : c.op;
    QDateTime start, end;
    if ((type == FieldType::Timestamp || type == FieldType::Date) && parseMoment(c.operand, &start, &end))
        return momentTerm(c, value, type == FieldType::Date, start, end, binds);
    QVariant bound = c.operand;
    if (isNumeric(type)) {
        binds->append(c.operand.toDouble());
        return QStringLiteral("%1 %2 %3").arg(value, op, dialect().numericOperand());
    } else if (type == FieldType::Boolean) {
        bound = c.operand == QLatin1String("true");
    } else if (type == FieldType::Unknown) {
        // No schema: JSON numbers compare as numbers, JSON booleans as 1/0 (json_extract's values).
        bool isNumber = false;
        const double number = c.operand.toDouble(&isNumber);
        if (isNumber)
            bound = number;
        else if (c.operand == QLatin1String("true") || c.operand == QLatin1String("false"))
            bound = c.operand == QLatin1String("true") ? 1 : 0;
    }
    binds->append(bound);
    return QStringLiteral("%1 %2 ?").arg(value, op);
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
        const QString like = dialect().caseInsensitiveLike();
        if (const QString cheap = dialect().dataContains();
            !cheap.isEmpty() && plain.match(needle).hasMatch()) {
            terms << QStringLiteral("(%1 OR record_key %2 ? ESCAPE '\\')").arg(cheap, like);
            binds->append(likePattern(needle));
            binds->append(likePattern(needle));
        }
        terms << QStringLiteral("(record_key %1 ? ESCAPE '\\' OR %2)").arg(like, dialect().anyValueLike());
        binds->append(likePattern(needle));
        binds->append(likePattern(needle));
    }

    for (auto it = columnFilters.constBegin(); it != columnFilters.constEnd(); ++it) {
        if (it.value().trimmed().isEmpty() || it.key() < 0 || it.key() >= columnCount())
            continue;
        const QString term = filterTerm(it.key(), it.value(), binds);
        if (!term.isEmpty())
            terms << term;
    }
    return terms.join(QStringLiteral(" AND "));
}

QString RecordsQuery::orderBy() const
{
    // The key's own order stays plain ASC/DESC, the order of its index.
    const QString keyOrder = order == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC");
    if (sortColumn <= 0 && keyType != FieldType::Integer)
        return QStringLiteral("record_key %1").arg(keyOrder);
    return QStringLiteral("%1 %2, record_key %3")
        .arg(sqlValue(sortColumn), dialect().direction(order), keyOrder);
}

QString RecordsQuery::displayColumns() const
{
    QStringList columns{QStringLiteral("record_key")};
    for (int c = 1; c < columnCount(); ++c)
        columns << sqlDisplay(c);
    return columns.join(QStringLiteral(", "));
}

QString RecordsQuery::pageSql(QVariantList *binds, int limit, int offset, const QVariant &afterKey) const
{
    QString sql = QStringLiteral("SELECT %1 FROM records WHERE %2").arg(displayColumns(), where(binds));
    if (sortColumn <= 0 && keyType != FieldType::Integer) {
        // Keyset paging on the (connection_id, entity, record_key) index: every page costs the same.
        if (afterKey.isValid() && !afterKey.isNull()) {
            sql += order == Qt::AscendingOrder ? QStringLiteral(" AND record_key > ?")
                                               : QStringLiteral(" AND record_key < ?");
            binds->append(afterKey);
        }
        return sql + QStringLiteral(" ORDER BY %1 LIMIT %2").arg(orderBy()).arg(limit);
    }
    return sql + QStringLiteral(" ORDER BY %1 LIMIT %2 OFFSET %3").arg(orderBy()).arg(limit).arg(offset);
}

QString RecordsQuery::allSql(QVariantList *binds, bool rawData) const
{
    QStringList columns{QStringLiteral("record_key")};
    if (rawData) {
        columns << QStringLiteral("data");
    } else {
        for (int c = 1; c < columnCount(); ++c)
            columns << sqlDisplay(c);
    }
    QString sql = QStringLiteral("SELECT %1 FROM records WHERE %2 ORDER BY %3")
                      .arg(columns.join(QStringLiteral(", ")), where(binds), orderBy());
    if (limit >= 0)
        sql += QStringLiteral(" LIMIT %1").arg(limit);
    return sql;
}

QString RecordsQuery::keysSql(QVariantList *binds) const
{
    return QStringLiteral("SELECT record_key FROM records WHERE %1 ORDER BY %2").arg(where(binds), orderBy());
}

QString RecordsQuery::rowsByKeySql(QVariantList *binds, const QStringList &keys) const
{
    binds->append(connectionId);
    binds->append(entity);
    for (const QString &key : keys)
        binds->append(key);
    QStringList marks(keys.size(), QStringLiteral("?"));
    return QStringLiteral(
               "SELECT %1 FROM records WHERE connection_id = ? AND entity = ? AND record_key IN (%2)")
        .arg(displayColumns(), marks.join(QLatin1Char(',')));
}

QString RecordsQuery::countSql(QVariantList *binds) const
{
    return QStringLiteral("SELECT count(*) FROM records WHERE %1").arg(where(binds));
}

QVariant RecordsQuery::decode(int column, const QVariant &sqlValue) const
{
    if (column <= 0) // record_key is text in the catalog: a numeric key is a number to exports
        return keyType == FieldType::Integer ? QVariant(sqlValue.toLongLong())
                                             : QVariant(sqlValue.toString());
    if (!isTyped(column))
        return fromJsonText(sqlValue);
    if (sqlValue.isNull())
        return jsonNull();
    const FieldType type = columnType(column);
    if (type == FieldType::Boolean)
        return sqlValue.toLongLong() != 0;
    if (type == FieldType::Integer && sqlValue.metaType() != QMetaType::fromType<qlonglong>())
        return sqlValue.toLongLong();
    if (type == FieldType::Real && sqlValue.metaType() != QMetaType::fromType<double>())
        return sqlValue.toDouble();
    return sqlValue;
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
        return jsonNull();
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
    if (isJsonNull(value))
        return QStringLiteral("null");
    if (value.metaType() == QMetaType::fromType<bool>())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.metaType() == QMetaType::fromType<double>())
        return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
    return value.toString();
}
