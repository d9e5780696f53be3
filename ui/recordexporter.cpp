#include "recordexporter.h"

#include "readonlydb.h"

RecordExporter::RecordExporter(QString catalogPath, RecordsQuery query, QString outputPath,
                               ExportOptions options, QObject *parent)
    : QObject(parent)
    , m_catalogPath(std::move(catalogPath))
    , m_query(std::move(query))
    , m_outputPath(std::move(outputPath))
    , m_options(options)
{
}

RecordExporter::RecordExporter(QString catalogPath, QString select, QString outputPath, ExportOptions options,
                               QObject *parent)
    : QObject(parent)
    , m_catalogPath(std::move(catalogPath))
    , m_select(std::move(select))
    , m_outputPath(std::move(outputPath))
    , m_options(options)
{
}

RecordExporter::~RecordExporter()
{
    cancel();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void RecordExporter::start()
{
    if (m_thread)
        return;
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("records-export"));
    m_thread->start();
}

void RecordExporter::run()
{
    const QString connectionName = ReadOnlyDb::uniqueName(QStringLiteral("mc-export"));
    ExportResult result;
    {
        QSqlDatabase db = ReadOnlyDb::open(m_catalogPath, connectionName, &result.error);
        if (db.isOpen()) {
            const auto report = [this](qint64 written, qint64 total) { emit progress(written, total); };
            result = m_select.isEmpty()
                         ? exportRecords(db, m_query, m_options, m_outputPath, report, &m_cancelled)
                         : exportSelect(db, m_select, m_options, m_outputPath, report, &m_cancelled);
        }
    }
    ReadOnlyDb::close(connectionName);
    emit finished(result.ok, result.rows, result.error);
}
