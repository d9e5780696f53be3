// Runs an export (tableexport.h) on a worker thread with its own read-only catalog connection, reporting
// progress: the records browser's current view (same filters and sort), or an SQL console result. The object
// lives on the GUI thread; its signals arrive there queued.
#pragma once

#include "recordsquery.h"
#include "tableexport.h"

#include <QObject>
#include <QThread>

#include <atomic>

class RecordExporter : public QObject
{
    Q_OBJECT
public:
    RecordExporter(QString catalogPath, RecordsQuery query, QString outputPath, ExportOptions options,
                   QObject *parent = nullptr);
    // An SQL console result: the rows of one read-only SELECT.
    RecordExporter(QString catalogPath, QString select, QString outputPath, ExportOptions options,
                   QObject *parent = nullptr);
    ~RecordExporter() override; // cancels and waits for the worker

    void start();
    void cancel() { m_cancelled = true; }
    bool isRunning() const { return m_thread && m_thread->isRunning(); }
    QString outputPath() const { return m_outputPath; }
    ExportOptions options() const { return m_options; }

signals:
    void progress(qint64 written, qint64 total);
    void finished(bool ok, qint64 rows, const QString &error);

private:
    void run(); // worker thread

    QString m_catalogPath;
    RecordsQuery m_query;
    QString m_select;
    QString m_outputPath;
    ExportOptions m_options;
    std::atomic<bool> m_cancelled{false};
    QThread *m_thread = nullptr;
};
