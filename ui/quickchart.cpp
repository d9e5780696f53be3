#include "quickchart.h"

#include "format.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <optional>

namespace {

std::optional<double> number(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    bool ok = false;
    const double n = value.toDouble(&ok);
    return ok && std::isfinite(n) ? std::optional<double>(n) : std::nullopt;
}

// An ISO-8601 date or timestamp, as the catalog's views give them.
QDateTime moment(const QVariant &value)
{
    const QString text = value.toString();
    if (text.size() == 10)
        return QDate::fromString(text, Qt::ISODate).startOfDay(Qt::UTC);
    return text.size() >= 19 ? QDateTime::fromString(text, Qt::ISODateWithMs) : QDateTime();
}

} // namespace

QuickChart::QuickChart(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_kindBox = new QComboBox(this);
    m_kindBox->setObjectName(QStringLiteral("chartKind"));
    m_kindBox->addItem(tr("Bar chart"), int(Kind::Bar));
    m_kindBox->addItem(tr("Line chart"), int(Kind::Line));
    connect(m_kindBox, &QComboBox::activated, this,
            [this] { setKind(Kind(m_kindBox->currentData().toInt())); });
    bar->addWidget(m_kindBox);
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("chartNote"));
    m_note->setWordWrap(true);
    bar->addWidget(m_note, 1);
    layout->addLayout(bar);
    m_view = new QChartView(this);
    m_view->setObjectName(QStringLiteral("quickChart"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(200);
    m_view->chart()->legend()->hide();
    layout->addWidget(m_view, 1);
}

QString QuickChart::noteText() const
{
    return m_note->text();
}

void QuickChart::setKind(Kind kind)
{
    m_kind = kind;
    m_kindBox->setCurrentIndex(m_kindBox->findData(int(kind)));
    redraw();
}

bool QuickChart::plot(const QStringList &columns, const QVector<QVariantList> &rows, bool more)
{
    m_columns = columns;
    m_rows = rows;
    m_more = more;
    redraw();
    return m_view->chart()->series().size() == 1;
}

void QuickChart::redraw()
{
    QChart *chart = m_view->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes())
        chart->removeAxis(axis);
    chart->setTitle(QString());
    if (m_columns.size() < 2) {
        m_note->setText(tr("A chart takes two columns: labels (or x) first, numbers second."));
        return;
    }
    int points = 0, skipped = 0;
    for (const QVariantList &row : std::as_const(m_rows))
        ++(number(row.value(1)) ? points : skipped);
    if (points == 0) {
        m_note->setText(tr("The second column, %1, holds no numbers to chart.").arg(m_columns.at(1)));
        return;
    }
    const int limit = m_kind == Kind::Bar ? qMin(int(m_rows.size()), MaxBars) : int(m_rows.size());
    const bool byNumber = std::all_of(m_rows.cbegin(), m_rows.cbegin() + limit, [](const QVariantList &row) {
        return number(row.value(0)).has_value();
    });
    const bool byTime =
        !byNumber && std::all_of(m_rows.cbegin(), m_rows.cbegin() + limit,
                                 [](const auto &row) { return moment(row.value(0)).isValid(); });
    double low = 0, high = 0;
    bool first = true, whole = true;
    const auto grow = [&](double y) {
        low = first ? y : qMin(low, y);
        high = first ? y : qMax(high, y);
        first = false;
        whole = whole && y == std::floor(y);
    };
    auto *y = new QValueAxis;
    y->setTitleText(m_columns.at(1));
    if (m_kind == Kind::Bar) {
        auto *set = new QBarSet(m_columns.at(1));
        set->setColor(QColor(QStringLiteral("#3b82f6")));
        QStringList labels;
        for (int r = 0; r < limit; ++r) {
            const std::optional<double> value = number(m_rows.at(r).value(1));
            if (!value)
                continue; // no bar rather than a bar of 0
            *set << *value;
            grow(*value);
            labels << m_rows.at(r).value(0).toString();
        }
        auto *series = new QBarSeries;
        series->append(set);
        chart->addSeries(series);
        auto *x = new QBarCategoryAxis;
        x->append(labels);
        x->setLabelsAngle(labels.size() > 8 ? -60 : 0);
        chart->addAxis(x, Qt::AlignBottom);
        series->attachAxis(x);
        chart->addAxis(y, Qt::AlignLeft);
        series->attachAxis(y);
    } else {
        auto *series = new QLineSeries;
        series->setName(m_columns.at(1));
        for (int r = 0; r < limit; ++r) {
            const std::optional<double> value = number(m_rows.at(r).value(1));
            if (!value)
                continue; // a gap in the numbers is not a zero
            const QVariant at = m_rows.at(r).value(0);
            series->append(byNumber ? *number(at)
                           : byTime ? double(moment(at).toMSecsSinceEpoch())
                                    : double(r),
                           *value);
            grow(*value);
        }
        chart->addSeries(series);
        QAbstractAxis *x = nullptr;
        if (byTime) {
            auto *time = new QDateTimeAxis;
            time->setFormat(QStringLiteral("yyyy-MM-dd"));
            x = time;
        } else if (byNumber) {
            x = new QValueAxis;
        } else {
            auto *categories = new QBarCategoryAxis;
            for (int r = 0; r < limit; ++r)
                categories->append(m_rows.at(r).value(0).toString());
            x = categories;
        }
        x->setTitleText(m_columns.at(0));
        chart->addAxis(x, Qt::AlignBottom);
        series->attachAxis(x);
        chart->addAxis(y, Qt::AlignLeft);
        series->attachAxis(y);
    }
    y->setRange(qMin(0.0, low), high > low || high > 0 ? high : low + 1);
    y->applyNiceNumbers();
    y->setLabelFormat(whole ? QStringLiteral("%.0f") : QStringLiteral("%g"));
    QStringList note;
    if (limit < m_rows.size() || m_more)
        note << tr("The first %1 rows of the result.").arg(Format::count(limit));
    if (skipped > 0)
        note << tr("%1 rows without a number in %2 are left out.")
                    .arg(Format::count(skipped))
                    .arg(m_columns.at(1));
    m_note->setText(note.join(QLatin1Char(' ')));
}
