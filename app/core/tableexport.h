// Exports a table (the records browser's view, `mako-connect-cli records`, an SQL console result) to CSV,
// JSON Lines or XLSX, streaming row by row on the caller's thread: a 1,000,000-row export holds one row in
// memory (XLSX: libxlsxwriter's constant-memory mode). A file appears only complete, never half written.
#pragma once

#include "recordsquery.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

#include <atomic>
#include <functional>
#include <memory>

enum class ExportFormat { Csv, JsonLines, Xlsx };

struct ExportOptions
{
    ExportFormat format = ExportFormat::Csv;
    bool flatten = true;                // nested objects as parent.child columns, else one JSON text column
    bool nullAsEmpty = true;            // CSV: null as an empty cell, else the word null
    QChar delimiter = QLatin1Char(','); // CSV
    bool utf8Bom = false;               // CSV: Excel reads a CSV as UTF-8 only after a BOM
    bool isoDates = true;               // CSV: timestamps as ISO-8601 UTC, else as the API sent them

    static ExportFormat formatForPath(const QString &path); // by suffix: .csv, .xlsx, else JSON Lines
    static QString suffix(ExportFormat format);             // "csv", "jsonl", "xlsx"
};

struct ExportColumn
{
    QString name;
    FieldType type = FieldType::Unknown; // Unknown: each value written as what it is
};

// Excel's sheet holds 1,048,576 rows, one of them the header.
inline constexpr qint64 kXlsxMaxRows = 1048575;

class TableWriter
{
public:
    virtual ~TableWriter() = default;
    static std::unique_ptr<TableWriter> create(const ExportOptions &options);

    // `path` "-" is standard output (CSV and JSON Lines only).
    virtual bool open(const QString &path, const QList<ExportColumn> &columns, const QString &title,
                      QString *error) = 0;
    // Values as RecordsQuery::decode gives them (JSON null: RecordsQuery::jsonNull()); JSON Lines takes one
    // value, the record's JSON.
    virtual void writeRow(const QVariantList &values) = 0;
    virtual bool commit(QString *error) = 0; // the file appears now
    virtual void cancel() = 0;               // nothing appears
};

struct ExportResult
{
    bool ok = false;
    qint64 rows = 0;
    QString error;
};
using ExportProgress = std::function<void(qint64 written, qint64 total)>;

// The rows of `query` (its filters, sort and limit) on `db`, a read-only catalog connection of this thread.
ExportResult exportRecords(const QSqlDatabase &db, RecordsQuery query, const ExportOptions &options,
                           const QString &path, const ExportProgress &progress = {},
                           const std::atomic<bool> *cancelled = nullptr);
// The rows of one read-only SELECT (the SQL console), types taken from the values.
ExportResult exportSelect(const QSqlDatabase &db, const QString &select, const ExportOptions &options,
                          const QString &path, const ExportProgress &progress = {},
                          const std::atomic<bool> *cancelled = nullptr);
