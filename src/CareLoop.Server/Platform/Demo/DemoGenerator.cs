using CareLoop.Domain.Commerce;
using CareLoop.Server.Platform.Auth;

namespace CareLoop.Server.Platform.Demo;

/// <summary>
/// Generates a bilingual demo marketplace from a fixed seed: the same scale gives the same merchants, products,
/// customers, orders, shipments and tracking events (instants relative to the given "now").
/// </summary>
public sealed class DemoGenerator
{
    private const int Seed = 20_261_125;
    private readonly DemoScale _scale;
    private readonly DateTime _now;

    public List<Merchant> Merchants { get; } = [];
    public List<Supplier> Suppliers { get; } = [];
    public List<Category> Categories { get; } = [];
    public List<Product> Products { get; } = [];
    public List<Lot> Lots { get; } = [];
    public List<Customer> Customers { get; } = [];
    private readonly Dictionary<Guid, List<Lot>> _lotsByProduct = [];
    private readonly Dictionary<Guid, List<Product>> _productsByMerchant = [];

    private static readonly (string Key, string Zh, string En, (string Zh, string En, bool Excludable, int Price)[] Items)[] Catalogue =
    [
        ("electronics", "数码电子", "Electronics", [("蓝牙耳机", "Bluetooth earbuds", false, 299), ("智能手表", "Smart watch", false, 899), ("充电宝", "Power bank", false, 129), ("平板电脑", "Tablet", false, 2499), ("手机壳", "Phone case", false, 39), ("定制刻字U盘", "Engraved USB drive", true, 89)]),
        ("appliances", "家用电器", "Home appliances", [("空气炸锅", "Air fryer", false, 399), ("扫地机器人", "Robot vacuum", false, 1999), ("电热水壶", "Electric kettle", false, 149), ("空调挂机", "Split air conditioner", false, 3299), ("洗衣机", "Washing machine", false, 2599)]),
        ("furniture", "家具家居", "Furniture", [("实木餐桌", "Solid-wood dining table", false, 2899), ("布艺沙发", "Fabric sofa", false, 4599), ("衣柜", "Wardrobe", false, 3299), ("床垫", "Mattress", false, 1899), ("办公椅", "Office chair", false, 699)]),
        ("apparel", "服装鞋帽", "Apparel", [("羽绒服", "Down jacket", false, 799), ("运动鞋", "Running shoes", false, 459), ("真丝衬衫", "Silk shirt", false, 399), ("牛仔裤", "Jeans", false, 259), ("贴身内衣", "Underwear set", true, 129)]),
        ("baby", "母婴用品", "Baby", [("婴儿推车", "Baby stroller", false, 1299), ("纸尿裤", "Nappies", false, 139), ("婴儿奶粉", "Infant formula", true, 329), ("儿童安全座椅", "Child car seat", false, 1599)]),
        ("food", "食品生鲜", "Food", [("五常大米", "Wuchang rice", true, 89), ("坚果礼盒", "Nut gift box", true, 168), ("进口牛奶", "Imported milk", true, 79), ("阳澄湖大闸蟹", "Yangcheng Lake crabs", true, 398)]),
    ];

    private static readonly string[] MerchantNames = ["优品数码旗舰店", "家电城官方店", "木语家居", "潮流服饰馆", "宝贝母婴店", "鲜味食品专营店", "极客生活馆", "安心家居电器"];
    private static readonly string[] MerchantNamesEn = ["Youpin Digital Flagship", "Appliance City Official", "Muyu Home", "Trend Apparel", "Baby Treasure", "Fresh Taste Foods", "Geek Life", "Anxin Home & Appliances"];
    private static readonly string[] SupplierCities = ["深圳", "东莞", "佛山", "宁波", "苏州", "杭州", "青岛", "成都", "武汉", "泉州", "温州", "合肥"];
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"];
    private static readonly string[] GivenNames = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "子涵", "浩然", "欣怡"];
    private static readonly (string Province, string City, string[] Districts)[] Places =
    [
        ("北京市", "北京市", ["朝阳区", "海淀区", "东城区"]), ("上海市", "上海市", ["浦东新区", "徐汇区", "静安区"]),
        ("广东省", "广州市", ["天河区", "越秀区", "番禺区"]), ("广东省", "深圳市", ["南山区", "福田区", "宝安区"]),
        ("浙江省", "杭州市", ["西湖区", "滨江区", "余杭区"]), ("江苏省", "南京市", ["鼓楼区", "玄武区"]),
        ("四川省", "成都市", ["武侯区", "锦江区", "高新区"]), ("湖北省", "武汉市", ["洪山区", "江汉区"]),
        ("陕西省", "西安市", ["雁塔区", "碑林区"]), ("新疆维吾尔自治区", "乌鲁木齐市", ["天山区"]), ("西藏自治区", "拉萨市", ["城关区"]),
        ("山东省", "青岛市", ["市南区", "崂山区"]), ("福建省", "厦门市", ["思明区", "湖里区"]),
    ];
    private static readonly string[] Carriers = ["sf", "jd", "zto", "yto", "sto", "yunda", "ems"];
    private static readonly (TrackingStatus Status, string Code, string Text)[] Route =
    [
        (TrackingStatus.InfoReceived, "10", "商家已发货，等待揽收"),
        (TrackingStatus.PickedUp, "20", "快递员已揽收"),
        (TrackingStatus.InTransit, "30", "快件已到达转运中心"),
        (TrackingStatus.InTransit, "31", "快件已发往目的地"),
        (TrackingStatus.OutForDelivery, "40", "快递员正在派送"),
        (TrackingStatus.Delivered, "50", "已签收，签收人：本人"),
    ];

    public DemoGenerator(DemoScale scale, DateTime nowUtc)
    {
        _scale = scale;
        _now = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);
        var random = new Random(Seed);
        BuildCatalogue(random);
        BuildCustomers(random);
    }

    public static string RoleDisplayName(string role) => role switch
    {
        Roles.Admin => "管理员 Admin",
        Roles.Supervisor => "客服主管 Supervisor",
        Roles.Agent => "客服小美 Agent",
        Roles.Merchant => "优品数码 Merchant",
        Roles.Warehouse => "退货仓 Warehouse",
        Roles.Technician => "师傅老王 Technician",
        Roles.Quality => "质量工程师 Quality",
        Roles.Customer => "王芳 Customer",
        _ => role,
    };

    private void BuildCatalogue(Random random)
    {
        for (var i = 0; i < _scale.Merchants; i++)
        {
            Merchants.Add(new Merchant
            {
                ExternalId = $"M{i + 1:000}",
                Name = MerchantNames[i % MerchantNames.Length] + (i >= MerchantNames.Length ? $" {i + 1}" : ""),
                NameEn = MerchantNamesEn[i % MerchantNamesEn.Length] + (i >= MerchantNamesEn.Length ? $" {i + 1}" : ""),
                ContactEmail = $"service{i + 1}@merchant.example",
                ContactPhone = $"400-800-{1000 + i}",
                DepositBalance = 50_000m + random.Next(0, 10) * 10_000m,
                AutoApproveLowRiskReturns = i % 2 == 0,
                CreatedAt = _now, UpdatedAt = _now,
            });
            _productsByMerchant[Merchants[i].Id] = [];
        }
        for (var i = 0; i < _scale.Suppliers; i++)
        {
            var status = i switch { 0 or 1 or 2 or 3 or 4 or 5 or 6 or 7 => SupplierStatus.Approved, 8 => SupplierStatus.Probation, 9 => SupplierStatus.Applicant, 10 => SupplierStatus.Suspended, _ => SupplierStatus.Approved };
            var city = SupplierCities[i % SupplierCities.Length];
            Suppliers.Add(new Supplier
            {
                ExternalId = $"S{i + 1:000}",
                Name = $"{city}{(i % 3 == 0 ? "精工制造" : i % 3 == 1 ? "优质实业" : "恒信科技")}有限公司",
                NameEn = $"{city} Manufacturing Co. {i + 1}",
                Status = status,
                ContactEmail = $"quality{i + 1}@supplier.example",
                Certificates = [new SupplierCertificate { Name = "ISO 9001", Number = $"ISO9001-{2024000 + i}", ExpiresOn = DateOnly.FromDateTime(_now).AddDays(30 + 60 * i) },
                                new SupplierCertificate { Name = "3C 认证", Number = $"3C-{880000 + i}", ExpiresOn = DateOnly.FromDateTime(_now).AddDays(400) }],
                QualityAgreementNumber = status == SupplierStatus.Applicant ? null : $"QA-{2025}-{i + 1:000}",
                QualityAgreementSignedOn = status == SupplierStatus.Applicant ? null : DateOnly.FromDateTime(_now).AddDays(-300),
                QualityAgreementExpiresOn = status == SupplierStatus.Applicant ? null : DateOnly.FromDateTime(_now).AddDays(65),
                CreatedAt = _now, UpdatedAt = _now,
            });
        }
        var leafCategories = new List<(Category Category, int Group, int Item)>();
        for (var g = 0; g < Catalogue.Length; g++)
        {
            var (key, zh, en, items) = Catalogue[g];
            var root = new Category { ExternalId = $"cat-{key}", Name = zh, NameEn = en, CreatedAt = _now, UpdatedAt = _now };
            root.Path = $"/{root.Id}/";
            Categories.Add(root);
            for (var k = 0; k < items.Length; k++)
            {
                var leaf = new Category { ExternalId = $"cat-{key}-{k + 1}", Name = items[k].Zh, NameEn = items[k].En, ParentId = root.Id, CreatedAt = _now, UpdatedAt = _now };
                leaf.Path = $"{root.Path}{leaf.Id}/";
                Categories.Add(leaf);
                leafCategories.Add((leaf, g, k));
            }
        }
        string[] colours = ["黑色", "白色", "灰色", "蓝色", "红色"];
        string[] sizes = ["S", "M", "L", "XL"];
        for (var i = 0; i < _scale.Products; i++)
        {
            var (leaf, g, k) = leafCategories[i % leafCategories.Count];
            var item = Catalogue[g].Items[k];
            // Merchants specialise: merchant i sells mostly from group i (mod groups).
            var merchant = Merchants[(g + (i / leafCategories.Count) * 3) % Merchants.Count];
            var supplier = Suppliers[(i * 7 + g) % Suppliers.Count];
            var variant = i / leafCategories.Count + 1;
            var product = new Product
            {
                ExternalId = $"P{i + 1:00000}",
                MerchantId = merchant.Id, SupplierId = supplier.Id, CategoryId = leaf.Id,
                Name = $"{item.Zh} {variant}代", NameEn = $"{item.En} gen {variant}",
                Sku = $"SKU-{g + 1}{k + 1:00}-{variant:000}",
                Price = item.Price + random.Next(0, 5) * 10,
                NoReasonReturnExcludable = item.Excludable,
                WarrantyMonths = g is 0 or 1 ? 12 : g == 2 ? 36 : null,
                Status = i % 97 == 13 ? ProductStatus.Delisted : ProductStatus.OnSale,
                DelistReason = i % 97 == 13 ? "质量投诉过多，暂停销售 (too many quality complaints)" : null,
                Attributes = g == 3 ? new() { ["colour"] = colours[i % colours.Length], ["size"] = sizes[i % sizes.Length] }
                    : new() { ["colour"] = colours[i % colours.Length] },
                CreatedAt = _now, UpdatedAt = _now,
            };
            Products.Add(product);
            _productsByMerchant[merchant.Id].Add(product);
            var lots = new List<Lot>();
            for (var l = 0; l < 2; l++)
            {
                var produced = DateOnly.FromDateTime(_now).AddDays(-200 + l * 90 - random.Next(0, 30));
                lots.Add(new Lot
                {
                    ExternalId = $"{product.ExternalId}-L{l + 1}", ProductId = product.Id, SupplierId = supplier.Id,
                    BatchNumber = $"{supplier.ExternalId}-{produced:yyyyMMdd}-{l + 1:00}",
                    ProductionDate = produced, ReceivedDate = produced.AddDays(7 + random.Next(0, 10)),
                    Quantity = 500 + random.Next(0, 20) * 100, CreatedAt = _now, UpdatedAt = _now,
                });
            }
            Lots.AddRange(lots);
            _lotsByProduct[product.Id] = lots;
        }
    }

    private void BuildCustomers(Random random)
    {
        for (var i = 0; i < _scale.Customers; i++)
        {
            var place = Places[random.Next(Places.Length)];
            var name = i == 0 ? "王芳" : Surnames[random.Next(Surnames.Length)] + GivenNames[random.Next(GivenNames.Length)];
            var phone = i == 0 ? DemoData.CustomerPhone : $"13{random.Next(0, 10)}{(10_000_000 + i * 7 + random.Next(0, 7)) % 100_000_000:00000000}";
            var consent = random.Next(3) > 0;
            Customers.Add(new Customer
            {
                ExternalId = $"C{i + 1:000000}", Name = name, Phone = phone,
                Email = i % 3 == 0 ? $"customer{i + 1}@mail.example" : null,
                Tier = i == 0 || random.Next(20) == 0 ? CustomerTier.Vip : CustomerTier.Regular,
                RiskLevel = random.Next(50) == 0 ? RiskLevel.High : random.Next(10) == 0 ? RiskLevel.Medium : RiskLevel.Low,
                PreferredLanguage = random.Next(15) == 0 ? "en" : "zh-CN",
                Birthday = new DateOnly(1965 + random.Next(0, 40), 1 + random.Next(12), 1 + random.Next(28)),
                MarketingConsent = consent, MarketingConsentAt = consent ? _now.AddDays(-random.Next(30, 700)) : null,
                Addresses = [new Address
                {
                    Label = "家", Recipient = name, Phone = phone, Province = place.Province, City = place.City,
                    District = place.Districts[random.Next(place.Districts.Length)],
                    Line = $"{(char)('A' + random.Next(6))}栋 {random.Next(1, 30)}0{random.Next(1, 9)} 室", IsDefault = true,
                }],
                CreatedAt = _now, UpdatedAt = _now,
            });
        }
    }

    public sealed record OrderBatch(List<Order> Orders, List<OrderLine> Lines, List<Shipment> Shipments, List<TrackingEvent> Events);

    /// <summary>Orders with their lines, shipments and tracking, in batches; every customer's first order is theirs.</summary>
    public IEnumerable<OrderBatch> OrderBatches(int size)
    {
        var random = new Random(Seed + 1);
        var batch = NewBatch();
        for (var i = 0; i < _scale.Orders; i++)
        {
            AddOrder(random, i, batch);
            if (batch.Orders.Count == size)
            {
                yield return batch;
                batch = NewBatch();
            }
        }
        if (batch.Orders.Count > 0)
        {
            yield return batch;
        }
    }

    private static OrderBatch NewBatch() => new([], [], [], []);

    private void AddOrder(Random random, int i, OrderBatch batch)
    {
        // The demo customer (C000001) and the first merchant (M001) get a share of orders so their logins have data.
        var customer = i % 50 == 0 ? Customers[0] : Customers[i % Customers.Count];
        var merchant = i % 7 == 0 ? Merchants[0] : Merchants[random.Next(Merchants.Count)];
        var catalogue = _productsByMerchant[merchant.Id];
        if (catalogue.Count == 0)
        {
            catalogue = Products;
        }
        var paidAt = _now.AddMinutes(-random.Next(60, 120 * 24 * 60));
        var address = customer.Addresses[0];
        var order = new Order
        {
            ExternalId = $"CL{paidAt:yyyyMMdd}{i + 1:0000000}",
            MerchantId = merchant.Id, CustomerId = customer.Id,
            PlacedAt = paidAt.AddMinutes(-random.Next(1, 30)), PaidAt = paidAt,
            PaymentMethod = (PaymentMethod)random.Next(0, 5),
            ShippingFee = random.Next(3) == 0 ? 0m : 8m + random.Next(0, 3) * 4,
            ReturnShippingInsurance = random.Next(3) == 0,
            DeliveryAddress = new Address { Recipient = address.Recipient, Phone = address.Phone, Province = address.Province, City = address.City, District = address.District, Line = address.Line },
            CreatedAt = _now, UpdatedAt = _now,
        };
        var lineCount = 1 + (random.Next(10) switch { < 6 => 0, < 9 => 1, _ => 2 });
        decimal total = order.ShippingFee;
        for (var l = 0; l < lineCount; l++)
        {
            var product = catalogue[random.Next(catalogue.Count)];
            var lots = _lotsByProduct[product.Id];
            var quantity = random.Next(10) < 8 ? 1 : 2;
            var unit = decimal.Round(product.Price * (random.Next(4) == 0 ? 0.9m : 1m), 2);
            var line = new OrderLine
            {
                ExternalId = $"{order.ExternalId}-{l + 1}", OrderId = order.Id, ProductId = product.Id,
                LotId = lots[random.Next(lots.Count)].Id, Quantity = quantity, UnitPrice = unit,
                ExclusionConfirmed = product.NoReasonReturnExcludable,
            };
            total += unit * quantity;
            order.Lines.Add(line);
            batch.Lines.Add(line);
        }
        order.TotalPaid = total;
        var ageDays = (_now - paidAt).TotalDays;
        order.Status = ageDays > 10 ? OrderStatus.Completed : ageDays > 1 ? OrderStatus.Shipped : OrderStatus.Paid;
        batch.Orders.Add(order);
        if (order.Status != OrderStatus.Paid)
        {
            AddShipment(random, order, merchant, customer, paidAt, batch);
        }
    }

    private void AddShipment(Random random, Order order, Merchant merchant, Customer customer, DateTime paidAt, OrderBatch batch)
    {
        var carrier = Carriers[random.Next(Carriers.Length)];
        var origin = Places[(Merchants.IndexOf(merchant) * 3) % Places.Length];
        var shippedAt = paidAt.AddHours(random.Next(2, 40));
        var shipment = new Shipment
        {
            ExternalId = $"SH-{order.ExternalId}", OrderId = order.Id, MerchantId = merchant.Id, CustomerId = customer.Id,
            Carrier = carrier, TrackingNumber = $"{carrier.ToUpperInvariant()}{order.ExternalId[2..]}",
            OriginProvince = origin.Province, DestinationProvince = order.DeliveryAddress.Province,
            ShippedAt = shippedAt, PromisedDeliveryDate = DateOnly.FromDateTime(shippedAt.AddDays(3 + random.Next(0, 4))),
            Lines = order.Lines.Select(l => new ShipmentLine { OrderLineExternalId = l.ExternalId, Quantity = l.Quantity }).ToList(),
            CreatedAt = _now, UpdatedAt = _now,
        };
        // Most parcels arrive; some stall (tracking stops) or hit an exception — material for logistics early warning.
        var fate = random.Next(100);
        var steps = fate < 85 ? Route.Length : fate < 95 ? 3 + random.Next(0, 2) : 3;
        var at = shippedAt;
        for (var s = 0; s < steps; s++)
        {
            at = at.AddHours(s == 0 ? 0.5 : random.Next(3, 20));
            if (at > _now)
            {
                break;
            }
            var (status, code, text) = fate >= 95 && s == steps - 1 ? (TrackingStatus.Exception, "90", "快件异常：地址不详，联系收件人中") : Route[s];
            batch.Events.Add(new TrackingEvent
            {
                ShipmentId = shipment.Id, Carrier = carrier, TrackingNumber = shipment.TrackingNumber,
                CarrierEventId = $"{shipment.TrackingNumber}-{s + 1}", OccurredAt = at,
                Place = s < 3 ? $"{shipment.OriginProvince}转运中心" : $"{order.DeliveryAddress.City}{order.DeliveryAddress.District}营业点",
                Status = status, CarrierCode = code, CarrierText = text, ReceivedAt = at.AddMinutes(2),
            });
            shipment.Status = status switch
            {
                TrackingStatus.Delivered => ShipmentStatus.Delivered,
                TrackingStatus.Exception => ShipmentStatus.Exception,
                _ => ShipmentStatus.InTransit,
            };
            if (status == TrackingStatus.Delivered)
            {
                shipment.DeliveredAt = at;
            }
        }
        batch.Shipments.Add(shipment);
    }

}
