#include "recordexporter.h"

#include "readonlydb.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSqlError>
#include <QSqlQuery>

RecordExporter::RecordExporter(QString catalogPath, RecordsQuery query, QString outputPath, Format format,
                               QObject *parent)
    : QObject(parent)
    , m_catalogPath(std::move(catalogPath))
    , m_query(std::move(query))
    , m_outputPath(std::move(outputPath))
    , m_format(format)
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

RecordExporter::Format RecordExporter::formatForPath(const QString &path)
{
    return path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) ? Format::Csv : Format::JsonLines;
}

QString RecordExporter::csvField(const QString &text)
{
    // RFC 4180: quote when the field has a separator, a quote or a line break; double the quotes.
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
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
    QString error;
    qint64 written = 0;
    bool ok = false;
    {
        QSqlDatabase db = ReadOnlyDb::open(m_catalogPath, connectionName, &error);
        if (db.isOpen()) {
            qint64 total = -1;
            {
                QVariantList binds;
                QSqlQuery count(db);
                count.prepare(m_query.countSql(&binds));
                for (const QVariant &value : binds)
                    count.addBindValue(value);
                if (count.exec() && count.next())
                    total = count.value(0).toLongLong();
            }
            emit progress(0, total);

            QSaveFile file(m_outputPath);
            if (!file.open(QIODevice::WriteOnly)) {
                error = tr("Cannot write %1: %2").arg(m_outputPath, file.errorString());
            } else {
                const bool csv = m_format == Format::Csv;
                QVariantList binds;
                QSqlQuery query(db);
                query.setForwardOnly(true);
                query.prepare(m_query.allSql(&binds, !csv));
                for (const QVariant &value : binds)
                    query.addBindValue(value);
                if (!query.exec()) {
                    error = query.lastError().text();
                } else {
                    if (csv) {
                        QStringList header;
                        for (int c = 0; c < m_query.columnCount(); ++c)
                            header << csvField(m_query.columnName(c));
                        file.write(header.join(QLatin1Char(',')).toUtf8() + "\r\n");
                    }
                    QElapsedTimer sinceProgress;
                    sinceProgress.start();
                    QByteArray buffer;
                    while (query.next()) {
                        if (m_cancelled)
                            break;
                        if (csv) {
                            QStringList cells{csvField(query.value(0).toString())};
                            for (int c = 1; c < m_query.columnCount(); ++c)
                                cells << csvField(
                                    RecordsQuery::toText(RecordsQuery::fromJsonText(query.value(c))));
                            buffer += cells.join(QLatin1Char(',')).toUtf8() + "\r\n";
                        } else {
                            // The JSON as the API sent it; re-compacted only if it spans lines.
                            QByteArray json = query.value(1).toByteArray();
                            if (json.contains('\n') || json.contains('\r'))
                                json = QJsonDocument::fromJson(json).toJson(QJsonDocument::Compact);
                            buffer += json + '\n';
                        }
                        ++written;
                        if (buffer.size() > (1 << 20)) {
                            file.write(buffer);
                            buffer.clear();
                        }
                        if (sinceProgress.elapsed() >= 100) {
                            sinceProgress.restart();
                            emit progress(written, total);
                        }
                    }
                    file.write(buffer);
                    if (m_cancelled) {
                        file.cancelWriting();
                        error = tr("Export cancelled.");
                    } else if (!file.commit()) {
                        error = tr("Cannot write %1: %2").arg(m_outputPath, file.errorString());
                    } else {
                        ok = true;
                        emit progress(written, total);
                    }
                }
            }
        }
    }
    ReadOnlyDb::close(connectionName);
    emit finished(ok, written, error);
}
