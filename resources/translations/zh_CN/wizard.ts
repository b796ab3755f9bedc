<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>teller_client</name>
    <message>
        <source>&amp;New application on a paper form</source>
        <translation>新建纸质申请表(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Next &gt;</source>
        <translation>下一步(&amp;N) &gt;</translation>
    </message>
    <message>
        <source>... and {count} more</source>
        <translation>……另有 {count} 处</translation>
    </message>
    <message>
        <source>&lt; &amp;Back</source>
        <translation>&lt; 上一步(&amp;B)</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已审批</translation>
    </message>
    <message>
        <source>Back (Alt+B, Ctrl+Backspace)</source>
        <translation>上一步（Alt+B、Ctrl+Backspace）</translation>
    </message>
    <message>
        <source>Branch &amp;review queue (supervisors)</source>
        <translation>网点审批队列（主管）(&amp;R)</translation>
    </message>
    <message>
        <source>Check each page and press Next (Alt+N). Problems are shown beside the field they concern and at the foot of the page.</source>
        <translation>请逐页核对后按“下一步”（Alt+N）。问题显示在相关字段旁及页面底部。</translation>
    </message>
    <message>
        <source>Draft saved at {time}</source>
        <translation>草稿已于 {time} 保存</translation>
    </message>
    <message>
        <source>E-form {form}</source>
        <translation>电子填单 {form}</translation>
    </message>
    <message>
        <source>Existing customer: a change to their e-channel services.</source>
        <translation>存量客户：变更电子渠道服务。</translation>
    </message>
    <message>
        <source>I have checked the &amp;warnings</source>
        <translation>已核对提示，继续(&amp;W)</translation>
    </message>
    <message>
        <source>NOT verified: check every page against the signed paper form.</source>
        <translation>未验证：请逐页与客户签章的纸质申请表核对。</translation>
    </message>
    <message>
        <source>New application on a &amp;paper form (Ctrl+N)</source>
        <translation>新建申请：纸质申请表(&amp;P)（Ctrl+N）</translation>
    </message>
    <message>
        <source>Next (Alt+N, Ctrl+Enter)</source>
        <translation>下一步（Alt+N、Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
    <message>
        <source>Paper form {form}: type it on the next pages.</source>
        <translation>纸质申请表 {form}：请在后续各页录入。</translation>
    </message>
    <message>
        <source>Start &amp;page</source>
        <translation>首页(&amp;P)</translation>
    </message>
    <message>
        <source>Submitted: UKeys and letters to hand over</source>
        <translation>已提交：待发放 UKey 和密码信函</translation>
    </message>
    <message>
        <source>Unverified e-form: its signature was not checked. Compare every page with the signed paper form.</source>
        <translation>未验证的电子填单：签名未经校验，请逐页与客户签章的纸质申请表核对。</translation>
    </message>
    <message>
        <source>{done} of {total} steps done</source>
        <translation>已完成 {done}/{total} 步</translation>
    </message>
    <message>
        <source>{name}: {accounts} account(s), {users} user(s), {services} channel(s).</source>
        <translation>{name}：账户 {accounts} 个，操作员 {users} 名，渠道 {services} 个。</translation>
    </message>
</context>
</TS>
