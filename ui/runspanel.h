// The "Runs" tab of a connection: its sync history (status, start, duration, mode, records per entity,
// error) and the log of the selected run, read from the GUI's own catalog connection. GUI thread.
#pragma once

#include "catalog.h"

#include <QWidget>

class QPlainTextEdit;
class QTreeWidget;

class RunsPanel : public QWidget
{
    Q_OBJECT
public:
    enum Column {
        StatusColumn,
        StartedColumn,
        DurationColumn,
        ModeColumn,
        RecordsColumn,
        EntitiesColumn,
        ErrorColumn
    };

    explicit RunsPanel(Catalog *catalog, QWidget *parent = nullptr);
    void setConnection(qint64 connectionId);
    QTreeWidget *runsTable() const { return m_runs; }
    QPlainTextEdit *logView() const { return m_log; }
    // A run's log as the panels show it: one line per entry, local time, level, entity, message.
    static QString logText(const QList<RunLogEntry> &entries);

public slots:
    void refresh();

private:
    void showLog();

    Catalog *m_catalog;
    qint64 m_connectionId = 0;
    QTreeWidget *m_runs;
    QPlainTextEdit *m_log;
};
