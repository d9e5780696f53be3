#include "busyindicator.h"

#include <QPainter>

BusyIndicator::BusyIndicator(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    m_timer.setInterval(40);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_angle = (m_angle + 30) % 360;
        update();
    });
    hide();
}

void BusyIndicator::start()
{
    show();
    m_timer.start();
}

void BusyIndicator::stop()
{
    m_timer.stop();
    hide();
}

void BusyIndicator::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const int side = qMin(width(), height()) - 4;
    const QRectF r((width() - side) / 2.0, (height() - side) / 2.0, side, side);
    QPen track(palette().color(QPalette::Mid), 2.2);
    painter.setPen(track);
    painter.drawEllipse(r);
    QPen arc(palette().color(QPalette::Highlight), 2.2, Qt::SolidLine, Qt::RoundCap);
    painter.setPen(arc);
    painter.drawArc(r, -m_angle * 16, 100 * 16);
}
