<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>teller_client</name>
    <message>
        <source>&amp;Add account (Insert)</source>
        <translation>添加账户(&amp;A)（Insert）</translation>
    </message>
    <message>
        <source>&amp;Add user (Insert)</source>
        <translation>添加操作员(&amp;A)（Insert）</translation>
    </message>
    <message>
        <source>&amp;Yes, remove</source>
        <translation>确定删除(&amp;Y)</translation>
    </message>
    <message>
        <source>(+{count} more)</source>
        <translation>（另有 {count} 处）</translation>
    </message>
    <message>
        <source>12 digits, for an account at another bank</source>
        <translation>12 位数字，他行账户必填</translation>
    </message>
    <message>
        <source>18 characters, as printed on the business licence</source>
        <translation>18 位，与营业执照上印的代码一致</translation>
    </message>
    <message>
        <source>Account &amp;list</source>
        <translation>账户列表(&amp;L)</translation>
    </message>
    <message>
        <source>Account {index} of {count}</source>
        <translation>账户 {index} / {count}</translation>
    </message>
    <message>
        <source>Accounts this user may use</source>
        <translation>该操作员可用的账户</translation>
    </message>
    <message>
        <source>All accounts (also those added later)</source>
        <translation>全部账户（含以后添加的）</translation>
    </message>
    <message>
        <source>Bank code</source>
        <translation>开户行行号</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>企业</translation>
    </message>
    <message>
        <source>Credential</source>
        <translation>认证方式</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>币种</translation>
    </message>
    <message>
        <source>Enabled for foreign exchange</source>
        <translation>已开通结售汇</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>有效期</translation>
    </message>
    <message>
        <source>FX</source>
        <translation>结售汇</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>ID type</source>
        <translation>证件类型</translation>
    </message>
    <message>
        <source>Insert or Ctrl+Shift+A adds a row, Delete removes the selected one, Enter edits it and Esc goes back to the table.</source>
        <translation>按 Insert 或 Ctrl+Shift+A 添加一行，按 Delete 删除所选行，按 Enter 编辑所选行，按 Esc 回到表格。</translation>
    </message>
    <message>
        <source>Keep (Esc)</source>
        <translation>保留（Esc）</translation>
    </message>
    <message>
        <source>Limits (per transaction / daily)</source>
        <translation>限额（单笔 / 日累计）</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>No accounts yet: press Insert or Ctrl+Shift+A to add one.</source>
        <translation>还没有账户：按 Insert 或 Ctrl+Shift+A 添加。</translation>
    </message>
    <message>
        <source>No users yet: press Insert or Ctrl+Shift+A to add one.</source>
        <translation>还没有操作员：按 Insert 或 Ctrl+Shift+A 添加。</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Relation</source>
        <translation>账户关系</translation>
    </message>
    <message>
        <source>Remove account (&amp;Delete)</source>
        <translation>删除账户(&amp;D)（Delete）</translation>
    </message>
    <message>
        <source>Remove account {index} ({number})?</source>
        <translation>删除第 {index} 个账户（{number}）？</translation>
    </message>
    <message>
        <source>Remove account {index}?</source>
        <translation>删除第 {index} 个账户？</translation>
    </message>
    <message>
        <source>Remove user (&amp;Delete)</source>
        <translation>删除操作员(&amp;D)（Delete）</translation>
    </message>
    <message>
        <source>Remove user {index} ({name})?</source>
        <translation>删除第 {index} 个操作员（{name}）？</translation>
    </message>
    <message>
        <source>Remove user {index}?</source>
        <translation>删除第 {index} 个操作员？</translation>
    </message>
    <message>
        <source>Rights</source>
        <translation>权限</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>The group's USCC; needed for a virtual customer</source>
        <translation>集团的统一社会信用代码；虚拟客户必填</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>账户性质</translation>
    </message>
    <message>
        <source>Usable accounts</source>
        <translation>可用账户</translation>
    </message>
    <message>
        <source>User &amp;list</source>
        <translation>操作员列表(&amp;L)</translation>
    </message>
    <message>
        <source>User {index} of {count}</source>
        <translation>操作员 {index} / {count}</translation>
    </message>
    <message>
        <source>YYYY-MM-DD, for a temporary account</source>
        <translation>年-月-日（YYYY-MM-DD），临时账户必填</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>e.g. 500000.00; empty for no limit</source>
        <translation>例如 500000.00；不填为不限额</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>{count} accounts</source>
        <translation>{count} 个账户</translation>
    </message>
    <message>
        <source>{number} (not among the accounts)</source>
        <translation>{number}（不在签约账户中）</translation>
    </message>
</context>
</TS>
