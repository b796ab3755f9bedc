<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>teller_client</name>
    <message>
        <source>&amp;Channels signed:</source>
        <translation>已签约渠道(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Reason, and the discount asked for if not all is waived:</source>
        <translation>减免原因及申请的优惠（非全额减免时注明）(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Remove channel</source>
        <translation>移除渠道(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Search:</source>
        <translation>搜索(&amp;S)：</translation>
    </message>
    <message>
        <source>(confirmed)</source>
        <translation>（已确认）</translation>
    </message>
    <message>
        <source>A waiver or discount needs a reason; the supervisor approves or refuses it at sign-off.</source>
        <translation>申请减免或优惠须填写原因，由主管在审批时批准或拒绝。</translation>
    </message>
    <message>
        <source>A&amp;dd a channel:</source>
        <translation>添加渠道(&amp;D)：</translation>
    </message>
    <message>
        <source>Add &amp;this channel</source>
        <translation>添加该渠道(&amp;T)</translation>
    </message>
    <message>
        <source>Add a channel on the left to choose its bundle or functions.</source>
        <translation>请在左侧添加渠道，再选择其产品套餐或功能。</translation>
    </message>
    <message>
        <source>Amount (CNY)</source>
        <translation>金额（人民币元）</translation>
    </message>
    <message>
        <source>Any change makes a new version.</source>
        <translation>任何修改都会生成新版本。</translation>
    </message>
    <message>
        <source>Bundle or &amp;mode:</source>
        <translation>套餐或模式(&amp;M)：</translation>
    </message>
    <message>
        <source>Bundle or mode</source>
        <translation>套餐或模式</translation>
    </message>
    <message>
        <source>CNY {amount}</source>
        <translation>人民币 {amount} 元</translation>
    </message>
    <message>
        <source>Central application number</source>
        <translation>中心申请编号</translation>
    </message>
    <message>
        <source>Checked / total</source>
        <translation>已选/总数</translation>
    </message>
    <message>
        <source>Chinese or English name, or function id</source>
        <translation>中文或英文名称，或功能编号</translation>
    </message>
    <message>
        <source>Choose the e-channels the company signs onto. For each channel take the standard or the advanced bundle, or check the functions one by one (custom).</source>
        <translation>选择客户签约的电子渠道。每个渠道可选标准版或高级版套餐，也可逐项勾选功能（自定义）。</translation>
    </message>
    <message>
        <source>Custom selection ({fee} a year)</source>
        <translation>自定义（年费 {fee}）</translation>
    </message>
    <message>
        <source>Custom: check the functions the company needs in the tree below; a bundle's functions stay checked when you switch.</source>
        <translation>自定义：在下方功能树中勾选客户需要的功能；由套餐切换为自定义时，套餐内的功能保持勾选。</translation>
    </message>
    <message>
        <source>E-form {form}: {trust}</source>
        <translation>电子填单 {form}：{trust}</translation>
    </message>
    <message>
        <source>Every rule was checked again: no problems.</source>
        <translation>已重新检查全部规则：没有问题。</translation>
    </message>
    <message>
        <source>Every rule was checked again: {errors} error(s) and {warnings} warning(s), by page below.</source>
        <translation>已重新检查全部规则：{errors} 处错误、{warnings} 处警告，按页面列于下方。</translation>
    </message>
    <message>
        <source>F&amp;unctions (Space checks or unchecks a row and everything under it):</source>
        <translation>功能(&amp;U)（空格键勾选或取消当前行及其下全部功能）：</translation>
    </message>
    <message>
        <source>Fee item</source>
        <translation>收费项目</translation>
    </message>
    <message>
        <source>Fee lines</source>
        <translation>费用明细</translation>
    </message>
    <message>
        <source>Form source</source>
        <translation>申请来源</translation>
    </message>
    <message>
        <source>Function</source>
        <translation>功能</translation>
    </message>
    <message>
        <source>Function id</source>
        <translation>功能编号</translation>
    </message>
    <message>
        <source>Function tree</source>
        <translation>功能树</translation>
    </message>
    <message>
        <source>Functions checked</source>
        <translation>已选功能</translation>
    </message>
    <message>
        <source>Go to {page}</source>
        <translation>转到“{page}”</translation>
    </message>
    <message>
        <source>If approved the customer pays {waived}; if refused, {full}.</source>
        <translation>批准后客户应付 {waived}；如被拒绝，应付 {full}。</translation>
    </message>
    <message>
        <source>No accounts.</source>
        <translation>没有账户。</translation>
    </message>
    <message>
        <source>No channels.</source>
        <translation>没有签约渠道。</translation>
    </message>
    <message>
        <source>No users.</source>
        <translation>没有操作员。</translation>
    </message>
    <message>
        <source>No version to approve yet: the application cannot be read until the errors below are corrected.</source>
        <translation>尚无可审批的版本：请先更正下列错误，申请才能读取。</translation>
    </message>
    <message>
        <source>No waiver or discount requested.</source>
        <translation>未申请减免或优惠。</translation>
    </message>
    <message>
        <source>Open the page to correct these problems.</source>
        <translation>打开该页面更正这些问题。</translation>
    </message>
    <message>
        <source>Paper form {form} typed at the counter (no e-form signature).</source>
        <translation>柜面录入的纸质申请表 {form}（无电子填单签名）。</translation>
    </message>
    <message>
        <source>Request a fee wai&amp;ver or discount</source>
        <translation>申请减免或优惠费用(&amp;V)</translation>
    </message>
    <message>
        <source>Returned by the supervisor: {reason}</source>
        <translation>主管退回：{reason}</translation>
    </message>
    <message>
        <source>Space checks or unchecks the current row and everything under it.</source>
        <translation>空格键勾选或取消当前行及其下全部功能。</translation>
    </message>
    <message>
        <source>The fees are computed once the application can be read.</source>
        <translation>申请内容可以读取后才能计算费用。</translation>
    </message>
    <message>
        <source>The fees are computed once the customer, accounts, users and services can be read: see the problems below.</source>
        <translation>客户、账户、操作员和签约业务可以读取后才能计算费用，请查看下方问题。</translation>
    </message>
    <message>
        <source>The fees of this application, from the bank's fee schedule. A waiver or discount is a request the supervisor decides.</source>
        <translation>本申请的费用，按本行收费标准计算。减免或优惠只是申请，由主管决定。</translation>
    </message>
    <message>
        <source>The form</source>
        <translation>申请表</translation>
    </message>
    <message>
        <source>The form itself</source>
        <translation>申请表本身</translation>
    </message>
    <message>
        <source>The whole application</source>
        <translation>完整申请内容</translation>
    </message>
    <message>
        <source>There is nothing to waive: the total is {amount}.</source>
        <translation>无可减免的费用：合计为 {amount}。</translation>
    </message>
    <message>
        <source>Total fees</source>
        <translation>费用合计</translation>
    </message>
    <message>
        <source>Total: {amount}</source>
        <translation>合计：{amount}</translation>
    </message>
    <message>
        <source>Unit price (CNY)</source>
        <translation>单价（人民币元）</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Unknown channel {value}</source>
        <translation>未知渠道 {value}</translation>
    </message>
    <message>
        <source>Version the supervisor will approve: {hash}</source>
        <translation>主管将审批的版本：{hash}</translation>
    </message>
    <message>
        <source>Waiver or discount requested; the supervisor decides at sign-off.</source>
        <translation>已申请减免或优惠，由主管在审批时决定。</translation>
    </message>
    <message>
        <source>Waiver reason:</source>
        <translation>减免原因：</translation>
    </message>
    <message>
        <source>Waiver requested: the supervisor approves or refuses it at sign-off. Until then the customer owes the full amount.</source>
        <translation>已申请减免：由主管在审批时批准或拒绝。批准前客户仍须按全额支付。</translation>
    </message>
    <message>
        <source>change</source>
        <translation>修改</translation>
    </message>
    <message>
        <source>e.g. strategic customer, 50% off the annual fee for the first year</source>
        <translation>例如：战略客户，首年年费五折</translation>
    </message>
    <message>
        <source>every account</source>
        <translation>全部账户</translation>
    </message>
    <message>
        <source>unknown bundle {value}</source>
        <translation>未知套餐 {value}</translation>
    </message>
    <message>
        <source>{checked} of {total} functions checked</source>
        <translation>已选 {checked}/{total} 项功能</translation>
    </message>
    <message>
        <source>{limit} (CNY)</source>
        <translation>{limit}（人民币元）</translation>
    </message>
    <message>
        <source>{name} ({fee} a year)</source>
        <translation>{name}（年费 {fee}）</translation>
    </message>
    <message>
        <source>{offer}, {checked}/{total} functions</source>
        <translation>{offer}，{checked}/{total} 项功能</translation>
    </message>
</context>
</TS>
