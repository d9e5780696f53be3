#include "iconwidget.h"

#include <QPainter>
#include <QPainterPath>

IconWidget::IconWidget(int side, bool tile, QWidget *parent)
    : QWidget(parent)
    , m_side(side)
    , m_tile(tile)
{
    setFixedSize(side, side);
}

void IconWidget::setIcon(const QIcon &icon)
{
    m_icon = icon;
    update();
}

void IconWidget::paintTile(QPainter *painter, const QRect &rect, const QIcon &icon, bool enabled)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    const qreal radius = rect.width() * 0.22;
    path.addRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius);
    // A fixed light tile whatever the theme: brand marks are designed for light backgrounds.
    painter->fillPath(path, QColor(0xf6, 0xf7, 0xf9));
    painter->setPen(QPen(QColor(0, 0, 0, 40), 1));
    painter->drawPath(path);
    const int pad = qRound(rect.width() * 0.16);
    icon.paint(painter, rect.adjusted(pad, pad, -pad, -pad), Qt::AlignCenter,
               enabled ? QIcon::Normal : QIcon::Disabled);
    painter->restore();
}

void IconWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    if (m_tile)
        paintTile(&painter, rect(), m_icon, isEnabled());
    else
        m_icon.paint(&painter, rect(), Qt::AlignCenter, isEnabled() ? QIcon::Normal : QIcon::Disabled);
}
