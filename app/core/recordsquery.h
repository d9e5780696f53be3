// What the records browser shows, as SQL over the catalog's `records` table: one connection's entity, the
// record key plus its fields as columns (typed from the entity's schema, nested objects flattened as in the
// typed views), a text filter across fields, per-column filters and a sort, each by the column's type.
// Shared by the lazy model (RecordsModel) and the exports, so an export writes exactly the filtered view.
// A plain value type: built on the GUI thread, copied to worker threads.
#pragma once

#include "catalogdialect.h"
#include "fieldschema.h"

#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantList>

struct RecordsQuery
{
    CatalogBackend backend = CatalogBackend::Sqlite; // whose SQL to write
    qint64 connectionId = 0;
    QString entity;
    QString keyName = QStringLiteral("id"); // header of the key column (the entity's primary key)
    FieldType keyType = FieldType::Unknown; // Integer: the key sorts as a number (1, 2, 10, not 1, 10, 2)
    // The columns after the key: FieldSql::columnFields of the entity's schema; Unknown-typed fields when the
    // entity was synced before schemas were kept (values then come as JSON text, see fromJsonText).
    QList<FieldStats> fields;
    bool rawValues = false;            // timestamps as the API sent them (Unix seconds), not ISO-8601
    QString text;                      // matches the key or any top-level value (case-insensitive)
    QHash<int, QString> columnFilters; // column -> "text" (contains), "=x", "!=x", ">x", ">=x", "<x", "<=x"
    int sortColumn = 0;                // 0: the record key (indexed)
    Qt::SortOrder order = Qt::AscendingOrder;
    qint64 limit = -1; // allSql: at most this many rows (-1: all)

    static constexpr int kMaxColumns = 200; // a grid, not a schema browser: the SQL views have them all

    int columnCount() const { return 1 + int(fields.size()); }
    QString columnName(int column) const; // "id", "address.city"
    FieldType columnType(int column) const;
    bool isTyped(int column) const { return columnType(column) != FieldType::Unknown; }

    // The entity's columns from its schema (entity_fields), or from a sample of its records. Not `flatten`:
    // top-level fields only, nested objects as their JSON text.
    void loadColumns(const QSqlDatabase &db, bool flatten = true);

    // SQL for a column's value as its type, for filters, sorting and typed exports.
    QString sqlValue(int column) const;
    // SQL for what a cell shows: the typed value, the raw value when `rawValues`, or the JSON text of an
    // untyped field (data -> path: strings keep their quotes, true stays true).
    QString sqlDisplay(int column) const;
    // Why a column filter cannot apply ("quantity holds numbers: “abc” is not one"), or "".
    QString filterProblem(int column) const;
    // "connection_id = ? AND entity = ? AND ..." and its bound values in order.
    QString where(QVariantList *binds) const;
    // One page: key + each column's display value. Keyset paging (after `afterKey`) when sorted by a text
    // key, else OFFSET.
    QString pageSql(QVariantList *binds, int limit, int offset, const QVariant &afterKey) const;
    // Every matching row in order: key + each column's typed value (ISO timestamps), or key + data when
    // `rawData`.
    QString allSql(QVariantList *binds, bool rawData) const;
    // The matching rows' keys in order (what the grid's rows are), and one block of them by key: key + each
    // column's display value, in no particular order (an indexed lookup per key).
    QString keysSql(QVariantList *binds) const;
    QString rowsByKeySql(QVariantList *binds, const QStringList &keys) const;
    QString countSql(QVariantList *binds) const;

    // A value as the loader read it for `column`: typed (bool for booleans, JSON null as a null QVariant of
    // type nullptr_t), or decoded from the JSON text of an untyped column.
    QVariant decode(int column, const QVariant &sqlValue) const;

    // Turns a `data -> path` result into a display value: strings unquoted, numbers and booleans typed,
    // JSON null as a null QVariant of type nullptr_t, objects/arrays kept as JSON text, missing as invalid.
    static QVariant fromJsonText(const QVariant &jsonText);
    // Text for CSV cells / display of such a value.
    static QString toText(const QVariant &value);
    static QVariant jsonNull() { return QVariant(QMetaType::fromType<std::nullptr_t>()); }
    static bool isJsonNull(const QVariant &value)
    {
        return value.metaType() == QMetaType::fromType<std::nullptr_t>();
    }

    const CatalogDialect &dialect() const { return CatalogDialect::of(backend); }

private:
    QString orderBy() const;
    QString displayColumns() const; // record_key, then each column's sqlDisplay
    QString filterTerm(int column, const QString &filter, QVariantList *binds) const;
};
