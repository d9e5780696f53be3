// What the records browser shows, as SQL over the catalog's `records` table: one connection's entity, the
// record key plus top-level JSON fields as columns, a text filter across fields, per-column filters and a
// sort. Shared by the lazy model (RecordsModel) and the exporter, so an export writes exactly the filtered
// view. A plain value type: built on the GUI thread, copied to worker threads.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantList>

struct RecordsQuery
{
    qint64 connectionId = 0;
    QString entity;
    QString keyName = QStringLiteral("id"); // header of the key column (the entity's primary key)
    QStringList fields;                     // top-level JSON fields shown after the key
    QString text;                           // matches the key or any top-level value (case-insensitive)
    QHash<int, QString> columnFilters; // column -> "text" (contains), "=x", "!=x", ">x", ">=x", "<x", "<=x"
    int sortColumn = 0;                // 0: the record key (indexed)
    Qt::SortOrder order = Qt::AscendingOrder;

    int columnCount() const { return 1 + int(fields.size()); }
    QString columnName(int column) const { return column == 0 ? keyName : fields.value(column - 1); }

    // SQL for a column's value: record_key, or the field's SQL value (json_extract), for filters and sorting.
    QString sqlValue(int column) const;
    // SQL for a column's JSON text (data -> path), for display: strings keep their quotes, true stays true.
    QString sqlJson(int column) const;
    // "connection_id = ? AND entity = ? AND ..." and its bound values in order.
    QString where(QVariantList *binds) const;
    // One page: key + each field's JSON text. Keyset paging (after `afterKey`) when sorted by key, else
    // OFFSET.
    QString pageSql(QVariantList *binds, int limit, int offset, const QVariant &afterKey) const;
    // Every matching row in order: key + each field's JSON text, or key + data when `rawData`.
    QString allSql(QVariantList *binds, bool rawData) const;
    QString countSql(QVariantList *binds) const;

    // Samples the first records' top-level fields and their JSON types (in the order the API sent them).
    static QString sampleFieldsSql();

    // Turns a `data -> path` result into a display value: strings unquoted, numbers and booleans typed,
    // JSON null as a null QVariant of type nullptr_t, objects/arrays kept as JSON text, missing as invalid.
    static QVariant fromJsonText(const QVariant &jsonText);
    // Text for CSV cells / display of such a value.
    static QString toText(const QVariant &value);
};
