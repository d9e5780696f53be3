#include "tableexport.h"

#include "readonlydb.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>
#include <QSaveFile>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

#include <xlsxwriter.h>

#include <cmath>
#include <cstdio>

namespace {

using ReadOnlyDb::run;

QString tr(const char *text)
{
    return QCoreApplication::translate("TableExport", text);
}

constexpr int kCellMax = 32767; // characters an Excel cell holds

bool isNull(const QVariant &value)
{
    return !value.isValid() || value.isNull() || RecordsQuery::isJsonNull(value);
}

// CSV and JSON Lines: text lines through a QSaveFile (or standard output), buffered by the megabyte.
class TextWriter : public TableWriter
{
public:
    explicit TextWriter(const ExportOptions &options)
        : m_options(options)
    {
    }

    bool open(const QString &path, const QList<ExportColumn> &columns, const QString &,
              QString *error) override
    {
        m_columns = columns;
        if (path == QLatin1String("-")) {
            auto *out = new QFile;
            out->open(stdout, QIODevice::WriteOnly);
            m_device.reset(out);
        } else {
            auto *file = new QSaveFile(path);
            m_device.reset(file);
            if (!file->open(QIODevice::WriteOnly)) {
                *error = tr("Cannot write %1: %2").arg(path, file->errorString());
                return false;
            }
        }
        m_path = path;
        if (m_options.format != ExportFormat::Csv)
            return true;
        if (m_options.utf8Bom)
            m_buffer += "\xEF\xBB\xBF";
        QStringList header;
        for (const ExportColumn &column : columns)
            header << field(column.name);
        m_buffer += header.join(m_options.delimiter).toUtf8() + "\r\n";
        return true;
    }

    void writeRow(const QVariantList &values) override
    {
        if (m_options.format == ExportFormat::JsonLines) {
            // The JSON as the API sent it; re-compacted only if it spans lines.
            QByteArray json = values.value(0).toByteArray();
            if (json.contains('\n') || json.contains('\r'))
                json = QJsonDocument::fromJson(json).toJson(QJsonDocument::Compact);
            m_buffer += json + '\n';
        } else {
            QStringList cells;
            cells.reserve(values.size());
            for (const QVariant &value : values)
                cells << field(cellText(value));
            m_buffer += cells.join(m_options.delimiter).toUtf8() + "\r\n";
        }
        if (m_buffer.size() > (1 << 20))
            flush();
    }

    bool commit(QString *error) override
    {
        flush();
        auto *file = qobject_cast<QSaveFile *>(m_device.get());
        if (file && !file->commit()) {
            *error = tr("Cannot write %1: %2").arg(m_path, file->errorString());
            return false;
        }
        if (!file)
            static_cast<QFile *>(m_device.get())->flush();
        return true;
    }

    void cancel() override
    {
        if (auto *file = qobject_cast<QSaveFile *>(m_device.get()))
            file->cancelWriting();
    }

private:
    void flush()
    {
        m_device->write(m_buffer);
        m_buffer.clear();
    }

    QString cellText(const QVariant &value) const
    {
        if (RecordsQuery::isJsonNull(value))
            return m_options.nullAsEmpty ? QString() : QStringLiteral("null");
        return RecordsQuery::toText(value);
    }

    // RFC 4180: quote a field holding the delimiter, a quote or a line break; double its quotes.
    QString field(const QString &text) const
    {
        if (!text.contains(m_options.delimiter) && !text.contains(QLatin1Char('"')) &&
            !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
            return text;
        QString quoted = text;
        quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + quoted + QLatin1Char('"');
    }

    ExportOptions m_options;
    QList<ExportColumn> m_columns;
    std::unique_ptr<QIODevice> m_device;
    QString m_path;
    QByteArray m_buffer;
};

// XLSX through libxlsxwriter in constant-memory mode (each row goes to a temporary file as it is written),
// into a part file beside the target that is renamed over it once the workbook is closed.
class XlsxWriter : public TableWriter
{
public:
    ~XlsxWriter() override { cancel(); }

    bool open(const QString &path, const QList<ExportColumn> &columns, const QString &title,
              QString *error) override
    {
        if (path == QLatin1String("-")) {
            *error = tr("An XLSX export needs a file to write to.");
            return false;
        }
        m_path = path;
        m_partPath = path + QStringLiteral(".part");
        m_columns = columns;
        lxw_workbook_options options{};
        options.constant_memory = LXW_TRUE;
        options.use_zip64 = LXW_TRUE; // a million rows of text can pass 4 GB of sheet XML
        m_book = workbook_new_opt(QFile::encodeName(m_partPath).constData(), &options);
        if (!m_book) {
            *error = tr("Cannot write %1.").arg(path);
            return false;
        }
        m_sheet = workbook_add_worksheet(m_book, sheetName(title).constData());
        m_bold = workbook_add_format(m_book);
        format_set_bold(m_bold);
        m_dateTime = workbook_add_format(m_book);
        format_set_num_format(m_dateTime, "yyyy-mm-dd hh:mm:ss");
        m_date = workbook_add_format(m_book);
        format_set_num_format(m_date, "yyyy-mm-dd");
        for (int c = 0; c < columns.size(); ++c) {
            worksheet_write_string(m_sheet, 0, lxw_col_t(c), columns.at(c).name.toUtf8().constData(), m_bold);
            if (columns.at(c).type == FieldType::Timestamp)
                worksheet_set_column(m_sheet, lxw_col_t(c), lxw_col_t(c), 19, nullptr);
        }
        worksheet_freeze_panes(m_sheet, 1, 0);
        return true;
    }

    void writeRow(const QVariantList &values) override
    {
        ++m_row;
        for (int c = 0; c < values.size(); ++c)
            writeCell(lxw_col_t(c), c < m_columns.size() ? m_columns.at(c).type : FieldType::Unknown,
                      values.at(c));
    }

    bool commit(QString *error) override
    {
        if (!m_columns.isEmpty())
            worksheet_autofilter(m_sheet, 0, 0, lxw_row_t(m_row), lxw_col_t(m_columns.size() - 1));
        const lxw_error closed = workbook_close(m_book);
        m_book = nullptr;
        if (closed != LXW_NO_ERROR) {
            QFile::remove(m_partPath);
            *error = tr("Cannot write %1: %2").arg(m_path, QString::fromUtf8(lxw_strerror(closed)));
            return false;
        }
        if (std::rename(QFile::encodeName(m_partPath).constData(), QFile::encodeName(m_path).constData()) !=
            0) {
            QFile::remove(m_partPath);
            *error = tr("Cannot write %1: %2").arg(m_path, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        return true;
    }

    void cancel() override
    {
        if (!m_book)
            return;
        workbook_close(m_book);
        m_book = nullptr;
        QFile::remove(m_partPath);
    }

private:
    static QByteArray sheetName(const QString &title)
    {
        QString name = title;
        for (const QChar bad : QStringLiteral("[]:*?/\\"))
            name.replace(bad, QLatin1Char('_'));
        name = name.left(31);
        return (name.isEmpty() ? QStringLiteral("Sheet1") : name).toUtf8();
    }

    // Excel's serial date: days since 1899-12-30, in UTC as the ISO text says.
    static bool excelDate(const QString &iso, double *serial)
    {
        QDateTime moment = QDateTime::fromString(iso, Qt::ISODateWithMs);
        if (!moment.isValid()) {
            const QDate date = QDate::fromString(iso, Qt::ISODate);
            if (!date.isValid())
                return false;
            moment = date.startOfDay(Qt::UTC);
        }
        *serial = double(moment.toMSecsSinceEpoch()) / 86400000.0 + 25569.0;
        return true;
    }

    void writeCell(lxw_col_t column, FieldType type, const QVariant &value)
    {
        if (isNull(value))
            return;
        const QMetaType meta = value.metaType();
        double serial = 0;
        if ((type == FieldType::Timestamp || type == FieldType::Date) &&
            excelDate(value.toString(), &serial)) {
            worksheet_write_number(m_sheet, m_row, column, serial,
                                   type == FieldType::Date ? m_date : m_dateTime);
        } else if (meta == QMetaType::fromType<bool>()) {
            worksheet_write_boolean(m_sheet, m_row, column, value.toBool(), nullptr);
        } else if (meta == QMetaType::fromType<qlonglong>() && std::llabs(value.toLongLong()) > (1LL << 53)) {
            // Beyond a double's exact integers: text keeps every digit (Excel would round it).
            worksheet_write_string(m_sheet, m_row, column, value.toString().toUtf8().constData(), nullptr);
        } else if (meta == QMetaType::fromType<qlonglong>() || meta == QMetaType::fromType<int>() ||
                   meta == QMetaType::fromType<double>()) {
            const double number = value.toDouble();
            if (std::isfinite(number))
                worksheet_write_number(m_sheet, m_row, column, number, nullptr);
        } else {
            QString text = RecordsQuery::toText(value);
            if (text.size() > kCellMax)
                text = text.left(kCellMax - 1) + QStringLiteral("…");
            worksheet_write_string(m_sheet, m_row, column, text.toUtf8().constData(), nullptr);
        }
    }

    QString m_path, m_partPath;
    QList<ExportColumn> m_columns;
    lxw_workbook *m_book = nullptr;
    lxw_worksheet *m_sheet = nullptr;
    lxw_format *m_bold = nullptr, *m_dateTime = nullptr, *m_date = nullptr;
    lxw_row_t m_row = 0;
};

QString tooManyRows(qint64 total)
{
    return tr("This export has %1 rows; an Excel sheet holds at most %2 below its header. Filter the rows "
              "first, or export to CSV.")
        .arg(QLocale().toString(total), QLocale().toString(kXlsxMaxRows));
}

// Streams the executed `query` through a writer; each row's values from `rowValues`.
ExportResult writeAll(QSqlQuery &query, const ExportOptions &options, const QString &path,
                      const QList<ExportColumn> &columns, const QString &title, qint64 total,
                      const std::function<QVariantList(const QSqlQuery &)> &rowValues,
                      const ExportProgress &progress, const std::atomic<bool> *cancelled)
{
    ExportResult result;
    std::unique_ptr<TableWriter> writer = TableWriter::create(options);
    if (!writer->open(path, columns, title, &result.error))
        return result;
    if (progress)
        progress(0, total);
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    while (query.next()) {
        if (cancelled && *cancelled) {
            writer->cancel();
            result.error = tr("Export cancelled.");
            return result;
        }
        writer->writeRow(rowValues(query));
        ++result.rows;
        if (progress && sinceProgress.elapsed() >= 100) {
            sinceProgress.restart();
            progress(result.rows, total);
        }
    }
    if (query.lastError().isValid()) {
        writer->cancel();
        result.error = query.lastError().text();
        return result;
    }
    result.ok = writer->commit(&result.error);
    if (result.ok && progress)
        progress(result.rows, total);
    return result;
}

} // namespace

ExportFormat ExportOptions::formatForPath(const QString &path)
{
    if (path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive))
        return ExportFormat::Csv;
    if (path.endsWith(QLatin1String(".xlsx"), Qt::CaseInsensitive))
        return ExportFormat::Xlsx;
    return ExportFormat::JsonLines;
}

QString ExportOptions::suffix(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Csv:
        return QStringLiteral("csv");
    case ExportFormat::Xlsx:
        return QStringLiteral("xlsx");
    case ExportFormat::JsonLines:
        break;
    }
    return QStringLiteral("jsonl");
}

std::unique_ptr<TableWriter> TableWriter::create(const ExportOptions &options)
{
    if (options.format == ExportFormat::Xlsx)
        return std::make_unique<XlsxWriter>();
    return std::make_unique<TextWriter>(options);
}

ExportResult exportRecords(const QSqlDatabase &db, RecordsQuery query, const ExportOptions &options,
                           const QString &path, const ExportProgress &progress,
                           const std::atomic<bool> *cancelled)
{
    ExportResult result;
    if (!options.flatten)
        query.loadColumns(db, false);
    // XLSX cells are typed from the ISO text; a CSV may keep the API's own values.
    query.rawValues = options.format == ExportFormat::Csv && !options.isoDates;
    qint64 total = -1;
    {
        QVariantList binds;
        QSqlQuery count(db);
        if (run(count, query.countSql(&binds), binds, &result.error) && count.next())
            total = count.value(0).toLongLong();
        if (query.limit >= 0 && total > query.limit)
            total = query.limit;
    }
    if (options.format == ExportFormat::Xlsx && total > kXlsxMaxRows) {
        result.error = tooManyRows(total);
        return result;
    }
    const bool rawData = options.format == ExportFormat::JsonLines;
    QList<ExportColumn> columns;
    for (int c = 0; c < query.columnCount() && !rawData; ++c) {
        const FieldType type = query.columnType(c);
        const bool raw = query.rawValues && type == FieldType::Timestamp;
        columns.append({FieldSql::columnName(c == 0 ? query.keyName : query.fields.at(c - 1).path),
                        raw ? FieldType::Unknown : type});
    }
    QVariantList binds;
    QSqlQuery rows(db);
    if (!run(rows, query.allSql(&binds, rawData), binds, &result.error))
        return result;
    const int columnCount = query.columnCount();
    return writeAll(
        rows, options, path, columns, query.entity, total,
        [&](const QSqlQuery &row) {
            if (rawData)
                return QVariantList{query.dialect().recordJson(row.value(1))};
            QVariantList values;
            values.reserve(columnCount);
            for (int c = 0; c < columnCount; ++c)
                values.append(query.decode(c, row.value(c)));
            return values;
        },
        progress, cancelled);
}

ExportResult exportSelect(const QSqlDatabase &db, const QString &select, const ExportOptions &options,
                          const QString &path, const ExportProgress &progress,
                          const std::atomic<bool> *cancelled)
{
    ExportResult result;
    QString statement;
    result.error = CatalogDialect::of(db).statementProblem(db, select, &statement);
    if (!result.error.isEmpty())
        return result;
    qint64 total = -1; // before the rows: a PostgreSQL session streams one result at a time
    {
        QSqlQuery count(db);
        QString ignored; // a statement count(*) cannot wrap still exports; only the bound is unknown
        if (run(count, QStringLiteral("SELECT count(*) FROM (%1) AS counted").arg(statement), {}, &ignored) &&
            count.next())
            total = count.value(0).toLongLong();
    }
    QSqlQuery rows(db);
    if (ReadOnlyDb::execStatement(db, rows, statement, &result.error) != ReadOnlyDb::Outcome::Ran)
        return result;
    const auto finish = qScopeGuard([&] {
        rows.finish();
        ReadOnlyDb::finishStatement(db);
    });
    if (options.format == ExportFormat::Xlsx && total > kXlsxMaxRows) {
        result.error = tooManyRows(total);
        return result;
    }
    const QSqlRecord record = rows.record();
    QList<ExportColumn> columns;
    for (int c = 0; c < record.count(); ++c)
        columns.append({record.fieldName(c), FieldType::Unknown});
    ExportOptions opts = options;
    if (opts.format == ExportFormat::JsonLines)
        opts.format = ExportFormat::Csv; // a result is a table; the console offers CSV and XLSX
    return writeAll(
        rows, opts, path, columns, QStringLiteral("Query"), total,
        [&](const QSqlQuery &row) {
            QVariantList values;
            values.reserve(columns.size());
            for (int c = 0; c < columns.size(); ++c) {
                const QVariant value = ReadOnlyDb::value(row, c);
                values.append(value.isNull() ? RecordsQuery::jsonNull() : value);
            }
            return values;
        },
        progress, cancelled);
}
