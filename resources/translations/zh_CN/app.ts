<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>teller_client</name>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Find a customer...</source>
        <translation>查找客户(&amp;F)...</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Lock screen</source>
        <translation>锁定屏幕(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Open drafts</source>
        <translation>未完成的草稿(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>登录(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Teller ID:</source>
        <translation>柜员号(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>解锁(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>91350200... or scan the QR code on the business licence</source>
        <translation>91350200...，或扫描营业执照上的二维码</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <source>Awaiting approval</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>Being entered</source>
        <translation>录入中</translation>
    </message>
    <message>
        <source>Business date: {date}</source>
        <translation>营业日期：{date}</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cannot continue</source>
        <translation>无法继续</translation>
    </message>
    <message>
        <source>Central service:</source>
        <translation>中心系统：</translation>
    </message>
    <message>
        <source>Checking form {form}...</source>
        <translation>正在校验表单 {form}...</translation>
    </message>
    <message>
        <source>Checking the password...</source>
        <translation>正在验证密码…</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>E-form</source>
        <translation>电子表单</translation>
    </message>
    <message>
        <source>E-form {form}: {received} of {total} parts read.</source>
        <translation>电子填单 {form}：已读取 {received}/{total} 个条码。</translation>
    </message>
    <message>
        <source>Existing customer</source>
        <translation>存量客户</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Find a c&amp;ustomer (USCC, or scan the business licence)</source>
        <translation>查找客户（统一社会信用代码，或扫描营业执照）(&amp;U)</translation>
    </message>
    <message>
        <source>Form {form} read: {name}, {accounts} account(s), {users} user(s).</source>
        <translation>表单 {form} 已读取：{name}，账户 {accounts} 个，操作员 {users} 名。</translation>
    </message>
    <message>
        <source>Last saved</source>
        <translation>最近保存</translation>
    </message>
    <message>
        <source>Loading drafts...</source>
        <translation>正在读取草稿…</translation>
    </message>
    <message>
        <source>Local store: opening...</source>
        <translation>本地数据库：正在打开…</translation>
    </message>
    <message>
        <source>Local store: ready</source>
        <translation>本地数据库：就绪</translation>
    </message>
    <message>
        <source>Local store: unavailable</source>
        <translation>本地数据库：不可用</translation>
    </message>
    <message>
        <source>Looking up {uscc} at the central service...</source>
        <translation>正在中心系统查询 {uscc}...</translation>
    </message>
    <message>
        <source>NOT verified: unsigned forms are allowed by this branch's settings.</source>
        <translation>未经验证：本网点设置允许使用未签名表单。</translation>
    </message>
    <message>
        <source>No open drafts.</source>
        <translation>暂无未完成的草稿。</translation>
    </message>
    <message>
        <source>One-stop corporate e-channel signing</source>
        <translation>对公电子渠道一站式签约</translation>
    </message>
    <message>
        <source>Paper form</source>
        <translation>纸质表单</translation>
    </message>
    <message>
        <source>Part {part} was already read.</source>
        <translation>第 {part} 个条码已读取过。</translation>
    </message>
    <message>
        <source>Preparing to sign in...</source>
        <translation>正在准备登录…</translation>
    </message>
    <message>
        <source>Production</source>
        <translation>生产</translation>
    </message>
    <message>
        <source>Reading barcodes from {name}...</source>
        <translation>正在从 {name} 识别条码...</translation>
    </message>
    <message>
        <source>Ready: scan the e-form's barcodes or a business licence, or open a scanned image.</source>
        <translation>就绪：请扫描电子填单条码或营业执照二维码，或打开扫描图片。</translation>
    </message>
    <message>
        <source>Returned for changes</source>
        <translation>已退回修改</translation>
    </message>
    <message>
        <source>S&amp;can</source>
        <translation>扫描(&amp;C)</translation>
    </message>
    <message>
        <source>Saved as a new draft.</source>
        <translation>已保存为新草稿。</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>扫描</translation>
    </message>
    <message>
        <source>Scan from &amp;image...</source>
        <translation>从图片扫描(&amp;I)...</translation>
    </message>
    <message>
        <source>Scan from image</source>
        <translation>从图片扫描</translation>
    </message>
    <message>
        <source>Scanned images and PDF ({patterns})</source>
        <translation>扫描图片和 PDF（{patterns}）</translation>
    </message>
    <message>
        <source>Scanner {port}: closed</source>
        <translation>扫描枪 {port}：已关闭</translation>
    </message>
    <message>
        <source>Scanner {port}: connected</source>
        <translation>扫描枪 {port}：已连接</translation>
    </message>
    <message>
        <source>Scanner {port}: disconnected, waiting for it to come back</source>
        <translation>扫描枪 {port}：已断开，等待重新连接</translation>
    </message>
    <message>
        <source>Screen locked</source>
        <translation>屏幕已锁定</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>签退(&amp;O)</translation>
    </message>
    <message>
        <source>Sign a company onto corporate online banking, cash management, e-commerce, e-bills and the other e-channels in one visit, and hand over the UKeys and password letters at the counter.</source>
        <translation>一次临柜即可为企业客户开通公司网银、现金管理、电子商务、电子票据等对公电子渠道，并当场发放 UKey 和密码信函。</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>柜员登录</translation>
    </message>
    <message>
        <source>Sign in before scanning; the scan was ignored.</source>
        <translation>请先登录再扫描；本次扫描已忽略。</translation>
    </message>
    <message>
        <source>Signature verified.</source>
        <translation>签名已验证。</translation>
    </message>
    <message>
        <source>Signed in: {name} ({id}). Type your password to continue, or sign out.</source>
        <translation>当前柜员：{name}（{id}）。请输入密码继续，或签退。</translation>
    </message>
    <message>
        <source>Signing in...</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <source>Something went wrong that the program did not expect. Your work is saved. Details are in the log for branch IT.</source>
        <translation>程序遇到意外错误。您录入的内容已保存，详细信息已记入日志，请联系网点科技人员。</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Start &amp;over</source>
        <translation>重新开始(&amp;O)</translation>
    </message>
    <message>
        <source>Start the scan &amp;over</source>
        <translation>重新扫描(&amp;O)</translation>
    </message>
    <message>
        <source>Starting the training service...</source>
        <translation>正在启动培训服务…</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Still to scan: part {parts}</source>
        <translation>还需扫描：第 {parts} 个</translation>
    </message>
    <message>
        <source>TRAINING MODE - no bank system is contacted; everything done here is for practice only.</source>
        <translation>培训模式 —— 不连接银行生产系统，所有操作仅供练习。</translation>
    </message>
    <message>
        <source>Teller client - one-stop e-channel signing</source>
        <translation>柜面客户端 - 对公电子渠道一站式签约</translation>
    </message>
    <message>
        <source>Teller client {version}
Local store: {path}</source>
        <translation>柜面客户端 {version}
本地数据库：{path}</translation>
    </message>
    <message>
        <source>Teller: not signed in</source>
        <translation>柜员：未登录</translation>
    </message>
    <message>
        <source>Teller: {name} ({id})</source>
        <translation>柜员：{name}（{id}）</translation>
    </message>
    <message>
        <source>The lookup failed.</source>
        <translation>查询失败。</translation>
    </message>
    <message>
        <source>This form is already an open draft.</source>
        <translation>该表单已在未完成的草稿中。</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>培训</translation>
    </message>
    <message>
        <source>Training service (starting...)</source>
        <translation>培训服务（正在启动…）</translation>
    </message>
    <message>
        <source>Training service at {url}</source>
        <translation>培训服务（{url}）</translation>
    </message>
    <message>
        <source>Training service on this computer ({url})</source>
        <translation>本机培训服务（{url}）</translation>
    </message>
    <message>
        <source>Type your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>Type your teller ID.</source>
        <translation>请输入柜员号。</translation>
    </message>
    <message>
        <source>USCC or business licence</source>
        <translation>统一社会信用代码或营业执照</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <source>Workstation:</source>
        <translation>终端号：</translation>
    </message>
    <message>
        <source>You are signed out on this computer; the central service could not be told: {reason}</source>
        <translation>本机已签退，但未能通知中心系统：{reason}</translation>
    </message>
    <message>
        <source>e.g. T0001</source>
        <translation>例如 T0001</translation>
    </message>
    <message>
        <source>{name} ({uscc}): {agreements} agreement(s), {active} active; {users} user(s); {accounts} account(s).</source>
        <translation>{name}（{uscc}）：协议 {agreements} 份，其中有效 {active} 份；操作员 {users} 名；账户 {accounts} 个。</translation>
    </message>
    <message>
        <source>{uscc} is not yet a customer of the e-channels: start a new signing.</source>
        <translation>{uscc} 尚未签约电子渠道：可新建签约。</translation>
    </message>
</context>
</TS>
