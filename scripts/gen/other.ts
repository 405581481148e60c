/**
 * Printouts that are not payment slips or sales receipts: kitchen and queue tickets, notes, shift
 * reports, delivery orders full of long numbers, a printer's self-test page. No fields on them.
 */
import { CN_GOODS, CN_MERCHANTS, EN_GOODS, PEOPLE_CN } from './data.js';
import { chance, digits, hm, hms, int, luhnValid, money, pad, pan, Paper, pick, type Rnd, type TextMode, weighted, when, ymd } from './kit.js';
import type { Draft } from './types.js';

type OtherKind = 'kitchen' | 'kitchen-en' | 'queue' | 'note' | 'shift' | 'z-report' | 'delivery' | 'self-test';

export function otherSlip(rnd: Rnd): Draft {
  const what = weighted<OtherKind>(rnd, [
    ['kitchen', 3], ['kitchen-en', 1.5], ['queue', 2], ['note', 1.5], ['shift', 2], ['z-report', 1.5], ['delivery', 3], ['self-test', 1],
  ]);
  const tags: string[] = [`other:${what}`];
  const cjk = what === 'kitchen' || what === 'queue' || what === 'note' || what === 'shift' || what === 'delivery';
  const width = weighted(rnd, [[32, 5], [48, 5]] as const);
  const mode: TextMode = cjk ? weighted(rnd, [['gb-fs', 5], ['gb-power', 4], ['utf8', 1]] as const) : 'ascii';
  tags.push(`w${width}`, mode);
  const p = new Paper(width, mode);
  const w_ = when(rnd);
  const stamp = `${ymd(w_, '-')} ${hms(w_)}`;

  switch (what) {
    case 'kitchen': {
      p.centered(pick(rnd, ['厨房单', '后厨单', '传菜单', '加菜单']), { w: 2, h: 2, bold: true });
      p.line(`桌号:${pick(rnd, ['A', 'B', 'C', ''])}${1 + int(rnd, 30)}    人数:${1 + int(rnd, 8)}`, { w: 1, h: 2 });
      p.line(`下单时间:${stamp}`);
      p.rule();
      for (let i = 0; i < 2 + int(rnd, 5); i++) {
        const [name] = pick(rnd, CN_GOODS);
        p.line(p.lr(name, `x${1 + int(rnd, 3)}`) ?? name, { w: 1, h: 2, bold: true });
        if (chance(rnd, 0.3)) p.line(`  备注:${pick(rnd, ['少辣', '不要香菜', '打包', '加急'])}`);
      }
      p.rule();
      p.line(`服务员:${pick(rnd, PEOPLE_CN)}`);
      break;
    }
    case 'kitchen-en': {
      p.centered('KITCHEN', { w: 2, h: 2, bold: true });
      p.line(`ORDER #${1 + int(rnd, 999)}   TABLE ${1 + int(rnd, 40)}`, { h: 2 });
      p.line(`${pad(w_.mo, 2)}/${pad(w_.d, 2)} ${hm(w_)}  SERVER: ${pick(rnd, ['ANA', 'TOM', 'LEE'])}`);
      p.rule('=');
      for (let i = 0; i < 2 + int(rnd, 5); i++) p.line(`${1 + int(rnd, 3)}  ${pick(rnd, EN_GOODS)[0].toUpperCase()}`, { bold: true, h: 2 });
      if (chance(rnd, 0.5)) p.line('** NO ONIONS **');
      break;
    }
    case 'queue': {
      p.centered(pick(rnd, CN_MERCHANTS));
      p.centered('排队取号');
      p.centered(`${pick(rnd, ['A', 'B', 'C'])}${pad(1 + int(rnd, 200), 3)}`, { w: 2, h: 2, bold: true });
      p.centered(`前面还有 ${int(rnd, 30)} 桌`);
      p.centered(`${pick(rnd, ['小桌(1-2人)', '中桌(3-4人)', '大桌(5人以上)'])}`);
      p.centered(`取号时间:${stamp}`);
      p.centered('过号请重新取号');
      break;
    }
    case 'note': {
      p.line(pick(rnd, ['交接班备注', '备忘', '留言']), { bold: true });
      p.line(pick(rnd, ['明早10点供应商送货', '冰柜温度偏高请报修', '会员活动周六开始', '请补货:矿泉水 可乐']));
      p.line(`联系电话:1${pick(rnd, ['38', '39', '86'])}${digits(rnd, 8)}`);
      p.line(stamp);
      break;
    }
    case 'shift': {
      p.centered('交班报表', { w: 2, h: 2, bold: true });
      p.line(`收银员:${pick(rnd, PEOPLE_CN)}    班次:${pick(rnd, ['早班', '晚班'])}`);
      p.line(`开始:${ymd(w_, '-')} 08:00:00`);
      p.line(`结束:${stamp}`);
      p.rule();
      let sum = 0;
      for (const label of ['现金', '微信', '支付宝', '银行卡', '会员卡']) {
        const v = int(rnd, 500_000);
        sum += v;
        p.line(p.lr(`${label}(${int(rnd, 80)}笔)`, money(v))!);
      }
      p.line(p.lr('退款(2笔)', `-${money(int(rnd, 20_000))}`)!);
      p.rule();
      p.line(p.lr('营业额合计', money(sum))!, { bold: true });
      p.line(p.lr('钱箱应有现金', money(int(rnd, 300_000)))!);
      break;
    }
    case 'z-report': {
      p.centered('Z REPORT', { w: 2, h: 2, bold: true });
      p.line(`Z #${pad(1 + int(rnd, 9999), 4)}   ${pad(w_.d, 2)}/${pad(w_.mo, 2)}/${w_.y} ${hm(w_)}`);
      p.rule();
      for (const label of ['GROSS SALES', 'DISCOUNTS', 'NET SALES', 'CASH', 'CARD', 'REFUNDS', 'NO SALE']) {
        p.line(p.lr(label, label === 'NO SALE' ? String(int(rnd, 10)) : money(int(rnd, 900_000)))!);
      }
      p.line(p.lr('TRANSACTIONS', String(20 + int(rnd, 300)))!);
      p.line(p.lr('GRAND TOTAL', money(10_000_000 + int(rnd, 90_000_000)))!);
      break;
    }
    case 'delivery': {
      // A delivery-platform order: order numbers of 15–19 digits, phone numbers, a waybill.
      p.centered(pick(rnd, ['#12 美团外卖', '#8 饿了么', '#23 外卖订单']), { w: 2, h: 2, bold: true });
      p.centered(pick(rnd, CN_MERCHANTS));
      const orderNo = `${ymd(w_, '').slice(2)}${digits(rnd, 10 + int(rnd, 4))}`;
      p.line(`订单号:${orderNo}`);
      if (luhnValid(orderNo)) tags.push('digits-pass-luhn');
      p.line(`下单时间:${stamp}`);
      p.line(`期望送达:${hm({ ...w_, h: Math.min(23, w_.h + 1) })}`);
      p.rule();
      for (let i = 0; i < 1 + int(rnd, 4); i++) {
        const [name, price] = pick(rnd, CN_GOODS);
        p.line(p.lr(`${name} x1`, money(price))!);
      }
      p.rule();
      p.line(`顾客:${pick(rnd, ['张', '王', '李', '陈'])}**  1${pick(rnd, ['38', '39', '86'])}****${digits(rnd, 4)}`);
      p.line(`虚拟号:1${digits(rnd, 10)}转${digits(rnd, 4)}`);
      const waybill = chance(rnd, 0.5) ? pan(rnd, '7302', 16) : `${digits(rnd, 15 + int(rnd, 5))}`;
      if (luhnValid(waybill)) tags.push('digits-pass-luhn');
      p.line(`配送单号:${waybill}`);
      p.line(`商家编号:${digits(rnd, 17)}`);
      p.b.align('center').barcode('code128', orderNo.slice(0, 18)).align('left');
      break;
    }
    case 'self-test': {
      p.centered('PRINTER SELF TEST', { bold: true });
      p.line(`Firmware: V${1 + int(rnd, 3)}.${int(rnd, 10)}.${int(rnd, 10)}`);
      p.line(`Serial No: ${digits(rnd, 16)}`);
      p.line(`Interface: USB  Baud: 9600`);
      p.line('Code page: PC437').line(`Print width: ${width === 32 ? 58 : 80}mm`);
      p.line('!"#%&\'()*+,-./0123456789:;<=>?@');
      p.line('ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`');
      p.line('abcdefghijklmnopqrstuvwxyz{|}~');
      break;
    }
  }
  return { bytes: p.finish(rnd), truth: {}, lines: p.lines, tags, kind: 'other' };
}
