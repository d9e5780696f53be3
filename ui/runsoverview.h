// The "Runs" page: the runs of every connection, newest first, with a status filter, what each committed
// (records, and what its full refresh removed) and how long it took, a chart of records and duration per run
// over time, and the log of the selected run. Read from the GUI's catalog connection. GUI thread.
#pragma once

#include "catalog.h"

#include <QWidget>

class QChartView;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTreeWidget;

class RunsOverviewPage : public QWidget
{
    Q_OBJECT
public:
    enum Column {
        ConnectionColumn,
        StatusColumn,
        StartedColumn,
        DurationColumn,
        RecordsColumn,
        RemovedColumn,
        ErrorColumn
    };
    static constexpr int MaxRuns = 500;

    explicit RunsOverviewPage(Catalog *catalog, QWidget *parent = nullptr);
    QTreeWidget *runsTable() const { return m_runs; }
    QComboBox *statusFilter() const { return m_status; }
    QChartView *chartView() const { return m_chart; }
    QPlainTextEdit *logView() const { return m_log; }

public slots:
    void refresh();

private:
    void showLog();
    void drawChart(const QList<RunInfo> &runs);

    Catalog *m_catalog;
    QComboBox *m_status;
    QLabel *m_summary;
    QTreeWidget *m_runs;
    QChartView *m_chart;
    QPlainTextEdit *m_log;
};
