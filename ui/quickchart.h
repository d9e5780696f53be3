// The SQL console's quick chart: a bar or line chart of a result's first two columns, labels or x from the
// first, numbers from the second, drawn with Qt Charts from the rows the console holds. GUI thread.
#pragma once

#include <QVariantList>
#include <QVector>
#include <QWidget>

class QChartView;
class QComboBox;
class QLabel;

class QuickChart : public QWidget
{
    Q_OBJECT
public:
    enum class Kind { Bar, Line };
    static constexpr int MaxBars = 200; // more would be unreadable; a line takes every row

    explicit QuickChart(QWidget *parent = nullptr);
    // Draws `rows` (each at least two values) under the column names; `more` says the result has rows
    // beyond these. Returns false, saying why under the chart, when the second column holds no numbers.
    bool plot(const QStringList &columns, const QVector<QVariantList> &rows, bool more);
    void setKind(Kind kind);
    Kind kind() const { return m_kind; }
    QChartView *chartView() const { return m_view; }
    QString noteText() const;

private:
    void redraw();

    Kind m_kind = Kind::Bar;
    QStringList m_columns;
    QVector<QVariantList> m_rows;
    bool m_more = false;
    QComboBox *m_kindBox;
    QLabel *m_note;
    QChartView *m_view;
};
