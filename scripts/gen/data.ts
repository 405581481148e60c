/** Names and numbers the slip generator draws from: shops, banks, card BINs, goods. */

export const CN_MERCHANTS = [
  '天天便利店(人民路店)', '北京华联超市有限公司', '老凤祥银楼南京东路店', '星巴克咖啡(国贸店)', '海底捞火锅(望京店)',
  '苏宁易购新街口店', '永辉超市福州鼓楼店', '沃尔玛(深圳南山店)', '名创优品', '屈臣氏个人护理用品商店', '广州酒家',
  '杭州知味观', '春熙路服装店', '中百仓储武昌店', '全家便利店', '喜茶(万象城店)', '西贝莜面村', '大润发超市',
  '上海第一医药商店', '成都红旗连锁', '美宜佳便利店', '国美电器', '华润万家', '肯德基(西单店)', '新华书店',
  '罗森便利店', '周大福珠宝', '盒马鲜生', '物美超市', '张记烧烤', '陈记面馆', '金鼎轩酒楼', '好又多超市',
] as const;

export const EN_MERCHANTS_CN = ['STARBUCKS COFFEE', 'WAL-MART SZ NANSHAN', 'FAMILYMART', 'UNIQLO SHANGHAI'] as const;

export interface Bank {
  readonly name: string;
  readonly short: string;
  readonly code: string;
  readonly bins: readonly string[];
  readonly hotline: string;
}

export const BANKS: readonly Bank[] = [
  { name: '中国工商银行', short: '工商银行', code: '01020000', bins: ['622202', '621226', '622208'], hotline: '95588' },
  { name: '中国农业银行', short: '农业银行', code: '01030000', bins: ['622848', '622845', '623052'], hotline: '95599' },
  { name: '中国银行', short: '中国银行', code: '01040000', bins: ['621661', '621785', '601382'], hotline: '95566' },
  { name: '中国建设银行', short: '建设银行', code: '01050000', bins: ['621700', '622700', '436742'], hotline: '95533' },
  { name: '交通银行', short: '交通银行', code: '03010000', bins: ['622260', '622262', '601428'], hotline: '95559' },
  { name: '招商银行', short: '招商银行', code: '03080000', bins: ['622588', '621483', '622575'], hotline: '95555' },
  { name: '浦发银行', short: '浦发银行', code: '03100000', bins: ['622521', '621792'], hotline: '95528' },
  { name: '兴业银行', short: '兴业银行', code: '03090000', bins: ['622909', '622908'], hotline: '95561' },
  { name: '中信银行', short: '中信银行', code: '03020000', bins: ['622690', '621773'], hotline: '95558' },
  { name: '平安银行', short: '平安银行', code: '03070000', bins: ['623058', '622155'], hotline: '95511' },
  { name: '中国邮政储蓄银行', short: '邮储银行', code: '01000000', bins: ['621799', '622188'], hotline: '95580' },
  { name: '中国民生银行', short: '民生银行', code: '03050000', bins: ['622622', '621691'], hotline: '95568' },
];

export const ACQUIRERS = [
  { name: '银联商务', code: '48020000' },
  { name: '通联支付', code: '48100000' },
  { name: '拉卡拉', code: '48451000' },
  { name: '工商银行', code: '01020000' },
  { name: '建设银行', code: '01050000' },
  { name: '招商银行', code: '03080000' },
] as const;

/** UnionPay merchant numbers: 15 digits, acquirer prefix + area code + MCC + serial. */
export const AREAS = ['3100', '1000', '5840', '5810', '2900', '6510', '3310', '4410', '5510', '3910'] as const;
export const MCCS = ['5411', '5812', '5311', '5499', '5944', '5691', '5732', '5912', '5814', '7011'] as const;

export const CN_GOODS = [
  ['矿泉水550ml', 200], ['可口可乐330ml', 350], ['全麦面包', 1290], ['纯牛奶250ml', 380], ['康师傅方便面', 450],
  ['口香糖', 990], ['红富士苹果', 1580], ['香蕉', 690], ['土鸡蛋10枚', 1880], ['五常大米5kg', 6990],
  ['食用油5L', 7990], ['青岛啤酒', 600], ['农夫山泉', 200], ['旺仔牛奶', 550], ['乐事薯片', 850],
  ['清风纸巾', 1290], ['洗衣液2kg', 3990], ['海天酱油', 1250], ['老干妈辣酱', 1050], ['三全水饺', 1890],
  ['拿铁咖啡', 3200], ['美式咖啡', 2800], ['牛肉面', 2200], ['宫保鸡丁', 3800], ['米饭', 200],
] as const;

export const EN_GOODS = [
  ['Whole milk 1L', 119], ['Sourdough bread', 340], ['Free range eggs', 389], ['Bananas', 129], ['Cheddar 200g', 275],
  ['Orange juice 1L', 249], ['Coffee beans', 899], ['Dish soap', 185], ['Paper towels', 450], ['Greek yoghurt', 165],
  ['Chicken breast', 699], ['Basmati rice', 289], ['Pasta 500g', 99], ['Olive oil', 649], ['Dark chocolate', 199],
  ['Sparkling water', 79], ['Toothpaste', 229], ['Butter 250g', 219], ['Latte', 450], ['Croissant', 295],
] as const;

export const EN_SHOPS: Record<'US' | 'EU' | 'UK' | 'none', readonly (readonly [string, string])[]> = {
  US: [
    ['FRESH & CO', '88 Market St, San Francisco CA'], ['BLUE BOTTLE', '1 Ferry Building, SF CA 94111'],
    ['QUICK STOP', '1402 Elm Ave, Austin TX 78701'], ['BOOKS & BEANS', '45 Queen St West, Toronto'],
  ],
  EU: [['CAFE DE FLORE', '172 Bd Saint-Germain, Paris'], ['BAECKEREI MUELLER', 'Hauptstrasse 14, 10115 Berlin']],
  UK: [['CORNER MARKET', '12 High Street, Oxford'], ['THE RED LION', '48 Parliament St, London']],
  none: [
    ['THE DAILY GRIND', '5 Orchard Rd #01-12 Singapore'], ['KOWLOON BAKERY', '233 Nathan Road, Kowloon'],
    ['HARBOUR DELI', 'Pier 3, Sydney NSW 2000'], ['CORNER MARKET', '12 High Street, Springfield'],
  ],
};

export const PEOPLE_CN = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄丽', '周杰', '吴敏'] as const;
export const PEOPLE_EN = ['Ana', 'Tom', 'Maria', 'Raj', 'Lee', 'Sam', 'Olga', 'Chen', 'Mike', 'Zoe'] as const;
