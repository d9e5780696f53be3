// Writes the records browser's current view (same filters and sort) to CSV or JSON Lines on a worker
// thread with its own read-only catalog connection, reporting progress; the file appears only when complete
// (QSaveFile). The object lives on the GUI thread; its signals arrive there queued.
#pragma once

#include "recordsquery.h"

#include <QObject>
#include <QThread>

#include <atomic>

class RecordExporter : public QObject
{
    Q_OBJECT
public:
    enum class Format { Csv, JsonLines };

    RecordExporter(QString catalogPath, RecordsQuery query, QString outputPath, Format format,
                   QObject *parent = nullptr);
    ~RecordExporter() override; // cancels and waits for the worker

    void start();
    void cancel() { m_cancelled = true; }
    bool isRunning() const { return m_thread && m_thread->isRunning(); }
    QString outputPath() const { return m_outputPath; }
    Format format() const { return m_format; }

    static Format formatForPath(const QString &path);
    static QString csvField(const QString &text);

signals:
    void progress(qint64 written, qint64 total);
    void finished(bool ok, qint64 rows, const QString &error);

private:
    void run(); // worker thread

    QString m_catalogPath;
    RecordsQuery m_query;
    QString m_outputPath;
    Format m_format;
    std::atomic<bool> m_cancelled{false};
    QThread *m_thread = nullptr;
};
