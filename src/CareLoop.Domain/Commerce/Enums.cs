namespace CareLoop.Domain.Commerce;

public enum SupplierStatus { Applicant, Approved, Probation, Suspended, Rejected }

public enum ProductStatus { OnSale, Delisted }

public enum CustomerTier { Regular, Vip }

public enum RiskLevel { Low, Medium, High }

public enum PaymentMethod { Alipay, WechatPay, UnionPay, Card, CashOnDelivery, Balance, Other }

public enum OrderStatus { PendingPayment, Paid, Shipped, Completed, Cancelled }

public enum ShipmentStatus { Created, InTransit, Delivered, Exception, Returned }

public enum TrackingStatus { InfoReceived, PickedUp, InTransit, OutForDelivery, Delivered, Exception, Lost, Returning }
