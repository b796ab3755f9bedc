<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>teller_client</name>
    <message>
        <source>&amp;Approve</source>
        <translation>批准(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Refresh (F5)</source>
        <translation>刷新(&amp;R)（F5）</translation>
    </message>
    <message>
        <source>&amp;Return to the teller</source>
        <translation>退回柜员(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Submit to the central service</source>
        <translation>提交至中心系统(&amp;S)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>1. Supervisor</source>
        <translation>1. 审批主管</translation>
    </message>
    <message>
        <source>2. Re-key from the customer's documents</source>
        <translation>2. 根据客户证件重新录入</translation>
    </message>
    <message>
        <source>3. Fee waiver</source>
        <translation>3. 费用减免</translation>
    </message>
    <message>
        <source>A supervisor must approve this application first.</source>
        <translation>须先经主管审批。</translation>
    </message>
    <message>
        <source>A supervisor rejected this application. It is closed.</source>
        <translation>该申请已被主管拒绝，业务已终止。</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Agreement number: {number}</source>
        <translation>协议编号：{number}</translation>
    </message>
    <message>
        <source>Application</source>
        <translation>申请</translation>
    </message>
    <message>
        <source>Application number</source>
        <translation>申请编号</translation>
    </message>
    <message>
        <source>Application {id}. The supervisor signs in with their own ID and password, types the fields below again from the customer's documents, and decides. The maker ({maker}) cannot sign off.</source>
        <translation>申请 {id}。请主管用本人工号和密码登录，根据客户证件重新录入以下字段，然后作出审批决定。经办人（{maker}）不能审批。</translation>
    </message>
    <message>
        <source>Applications waiting for a supervisor</source>
        <translation>待主管审批的申请</translation>
    </message>
    <message>
        <source>Appro&amp;ve the fee waiver</source>
        <translation>同意费用减免(&amp;V)</translation>
    </message>
    <message>
        <source>Approve or refuse the fee waiver first.</source>
        <translation>请先决定是否同意费用减免。</translation>
    </message>
    <message>
        <source>Approved by a supervisor. Press Next to submit.</source>
        <translation>主管已审批通过。请按“下一步”提交。</translation>
    </message>
    <message>
        <source>Approved by the supervisor {who}. Press Next to submit.</source>
        <translation>主管 {who} 已审批通过。请按“下一步”提交。</translation>
    </message>
    <message>
        <source>Branch review queue</source>
        <translation>网点待审队列</translation>
    </message>
    <message>
        <source>Certificates</source>
        <translation>证书</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Choose an application in the queue and open it (Enter).</source>
        <translation>请在队列中选择申请并打开（回车键）。</translation>
    </message>
    <message>
        <source>Could not ask the central service ({reason}); asking again.</source>
        <translation>未能向中心系统查询（{reason}），稍后自动重试。</translation>
    </message>
    <message>
        <source>Either the supervisor signs off here, on this screen, with their own ID and password; or the application goes to the branch review queue and a supervisor decides from their own computer while this page waits.</source>
        <translation>可由主管在本机用本人工号和密码当场审批；也可送入网点待审队列，由主管在自己的电脑上审批，本页等待审批结果。</translation>
    </message>
    <message>
        <source>Fee waiver</source>
        <translation>费用减免</translation>
    </message>
    <message>
        <source>Fee waiver requested</source>
        <translation>客户申请了费用减免</translation>
    </message>
    <message>
        <source>Fees</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Fees (computed by the central service)</source>
        <translation>费用（中心系统计算）</translation>
    </message>
    <message>
        <source>History</source>
        <translation>处理记录</translation>
    </message>
    <message>
        <source>Maker</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>No application is waiting for a supervisor.</source>
        <translation>暂无待审批的申请。</translation>
    </message>
    <message>
        <source>No decision was taken at the desk. The application waits in the branch review queue; sign off again, or wait.</source>
        <translation>主管未在本机作出审批决定。申请已在网点待审队列中，可重新当场审批，或等待审批。</translation>
    </message>
    <message>
        <source>Not sent to a supervisor yet.</source>
        <translation>尚未送主管审批。</translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation>未登录。</translation>
    </message>
    <message>
        <source>Not waiting any more. The application stays in the branch review queue; come back to this page to wait for the decision.</source>
        <translation>已停止等待。申请仍在网点待审队列中，回到本页即可继续等待审批结果。</translation>
    </message>
    <message>
        <source>Opening the application...</source>
        <translation>正在打开申请……</translation>
    </message>
    <message>
        <source>Password letters to print</source>
        <translation>待打印密码信封</translation>
    </message>
    <message>
        <source>Re&amp;fuse the fee waiver (fees are charged)</source>
        <translation>不同意费用减免，照常收费(&amp;F)</translation>
    </message>
    <message>
        <source>Re&amp;ject</source>
        <translation>拒绝(&amp;J)</translation>
    </message>
    <message>
        <source>Re&amp;turn to the teller</source>
        <translation>退回柜员(&amp;T)</translation>
    </message>
    <message>
        <source>Re-key these fields from the customer's documents first: {fields}</source>
        <translation>请先根据客户证件重新录入以下字段：{fields}</translation>
    </message>
    <message>
        <source>Reading the review queue...</source>
        <translation>正在读取待审队列……</translation>
    </message>
    <message>
        <source>Reaso&amp;n (for a return or a rejection):</source>
        <translation>原因（退回或拒绝时填写）(&amp;N)：</translation>
    </message>
    <message>
        <source>Rejected by the supervisor {who}: {reason}. This application is closed.</source>
        <translation>主管 {who} 已拒绝：{reason}。该申请已终止。</translation>
    </message>
    <message>
        <source>Rejecting the application...</source>
        <translation>正在拒绝申请……</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>业务类型</translation>
    </message>
    <message>
        <source>Required to return or reject; the teller reads it</source>
        <translation>退回或拒绝时必填，柜员可看到</translation>
    </message>
    <message>
        <source>Returned by the supervisor: {reason}. Correct the application, then send it again.</source>
        <translation>主管已退回：{reason}。请修改申请后重新送审。</translation>
    </message>
    <message>
        <source>Returning the application to the teller...</source>
        <translation>正在退回柜员……</translation>
    </message>
    <message>
        <source>Say why the application goes back to the teller.</source>
        <translation>请填写退回原因。</translation>
    </message>
    <message>
        <source>Say why the application is rejected.</source>
        <translation>请填写拒绝原因。</translation>
    </message>
    <message>
        <source>Send again to the branch review &amp;queue</source>
        <translation>重新送入网点待审队列(&amp;Q)</translation>
    </message>
    <message>
        <source>Send to the branch review &amp;queue</source>
        <translation>送入网点待审队列(&amp;Q)</translation>
    </message>
    <message>
        <source>Sending the application to the branch review queue...</source>
        <translation>正在送入网点待审队列……</translation>
    </message>
    <message>
        <source>Sending the application to the central service...</source>
        <translation>正在将申请发送至中心系统……</translation>
    </message>
    <message>
        <source>Sending the approval...</source>
        <translation>正在提交审批结果……</translation>
    </message>
    <message>
        <source>Sent at</source>
        <translation>送审时间</translation>
    </message>
    <message>
        <source>Sent: waiting for a supervisor's decision in the branch review queue.</source>
        <translation>已送审：在网点待审队列中等待主管审批。</translation>
    </message>
    <message>
        <source>Sign in again first: the application cannot be sent now.</source>
        <translation>请先重新登录，目前无法送审。</translation>
    </message>
    <message>
        <source>Sign in again first: the application cannot be submitted now.</source>
        <translation>请先重新登录，目前无法提交。</translation>
    </message>
    <message>
        <source>Sign in as a supervisor to see the review queue.</source>
        <translation>请以主管身份登录后查看待审队列。</translation>
    </message>
    <message>
        <source>Signed in: {id} {name}</source>
        <translation>已登录：{id} {name}</translation>
    </message>
    <message>
        <source>Signing the supervisor in...</source>
        <translation>正在登录主管……</translation>
    </message>
    <message>
        <source>Snapshot hash of what you decide on: {hash}</source>
        <translation>所审批申请的快照摘要：{hash}</translation>
    </message>
    <message>
        <source>Stop &amp;waiting</source>
        <translation>停止等待(&amp;W)</translation>
    </message>
    <message>
        <source>Submit to the central service (Alt+S)</source>
        <translation>提交至中心系统（Alt+S）</translation>
    </message>
    <message>
        <source>Submitting signs the agreement at the central service. It cannot be undone here: after it, the UKeys and password letters are issued on the next page.</source>
        <translation>提交后中心系统即签订协议，本机无法撤销；随后在下一页发放 UKey 和密码信封。</translation>
    </message>
    <message>
        <source>Submitting to the central service...</source>
        <translation>正在提交至中心系统……</translation>
    </message>
    <message>
        <source>Supervisor sign-off at the desk</source>
        <translation>主管当场审批</translation>
    </message>
    <message>
        <source>Supervisor signs off &amp;here</source>
        <translation>主管当场审批(&amp;H)</translation>
    </message>
    <message>
        <source>Supervisor signs off &amp;here (send again)</source>
        <translation>主管当场审批（重新送审）(&amp;H)</translation>
    </message>
    <message>
        <source>Supervisor's own &amp;ID:</source>
        <translation>主管本人工号(&amp;I)：</translation>
    </message>
    <message>
        <source>The application stays in the review queue; come back to this page to wait again.</source>
        <translation>申请仍在待审队列中，回到本页即可继续等待。</translation>
    </message>
    <message>
        <source>The application, read-only</source>
        <translation>申请内容（只读）</translation>
    </message>
    <message>
        <source>The customer asks for the fees to be waived. Reason given: {reason}</source>
        <translation>客户申请减免费用，理由：{reason}</translation>
    </message>
    <message>
        <source>The fee waiver is approved.</source>
        <translation>费用减免已获批准。</translation>
    </message>
    <message>
        <source>The fee waiver is refused: fees are charged.</source>
        <translation>费用减免未获批准，照常收费。</translation>
    </message>
    <message>
        <source>Type each value again from the original documents. What is typed is compared and then cleared; it is never shown.</source>
        <translation>请根据证件原件逐项重新录入。录入内容仅用于比对，比对后即清除，不会显示。</translation>
    </message>
    <message>
        <source>Type the supervisor's own ID.</source>
        <translation>请输入主管本人工号。</translation>
    </message>
    <message>
        <source>Type the supervisor's password.</source>
        <translation>请输入主管密码。</translation>
    </message>
    <message>
        <source>UKeys to issue</source>
        <translation>待发放 UKey</translation>
    </message>
    <message>
        <source>USCC</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Wait for the decision from the review &amp;queue</source>
        <translation>等待待审队列的审批结果(&amp;Q)</translation>
    </message>
    <message>
        <source>Waited {time} (min:s)</source>
        <translation>已等待 {time}（分:秒）</translation>
    </message>
    <message>
        <source>Waiting for a supervisor...</source>
        <translation>正在等待主管审批……</translation>
    </message>
    <message>
        <source>Waiting since</source>
        <translation>送审时间</translation>
    </message>
    <message>
        <source>Warnings the teller confirmed</source>
        <translation>柜员已确认的提示</translation>
    </message>
    <message>
        <source>What goes to the supervisor</source>
        <translation>送审内容</translation>
    </message>
    <message>
        <source>You made this application ({maker}): another supervisor decides it.</source>
        <translation>您是该申请的经办人（{maker}），须由其他主管审批。</translation>
    </message>
    <message>
        <source>approved by a supervisor, ready to submit</source>
        <translation>已经主管审批，可以提交</translation>
    </message>
    <message>
        <source>made at the counter on blank UKeys</source>
        <translation>柜面在空白 UKey 上制作</translation>
    </message>
    <message>
        <source>not approved: go back to sign-off</source>
        <translation>未经审批：请返回主管审批页</translation>
    </message>
    <message>
        <source>not complete: finish the pages before sign-off</source>
        <translation>尚不完整：请先填写各页再送审</translation>
    </message>
    <message>
        <source>not requested</source>
        <translation>未申请</translation>
    </message>
    <message>
        <source>pre-made certificate UKeys</source>
        <translation>预制证书 UKey</translation>
    </message>
    <message>
        <source>requested</source>
        <translation>已申请</translation>
    </message>
    <message>
        <source>requested, reason: {reason}</source>
        <translation>已申请，理由：{reason}</translation>
    </message>
    <message>
        <source>requested, reason: {reason}; the supervisor decides</source>
        <translation>已申请，理由：{reason}；由主管审批决定</translation>
    </message>
    <message>
        <source>submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <source>the UKey settings are wrong: branch IT must correct them</source>
        <translation>UKey 设置有误，请联系网点科技人员更正</translation>
    </message>
    <message>
        <source>unverified: the supervisor compares it with the signed paper form</source>
        <translation>未验签：主管须与客户签字的纸质申请表核对</translation>
    </message>
    <message>
        <source>{amount} CNY</source>
        <translation>{amount} 元</translation>
    </message>
    <message>
        <source>{count} ({paying} with pay rights)</source>
        <translation>{count} 个（其中 {paying} 个可支付）</translation>
    </message>
    <message>
        <source>{count} ({ukeys} with a UKey)</source>
        <translation>{count} 名（其中 {ukeys} 名使用 UKey）</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
    <message>
        <source>✔ matches</source>
        <translation>✔ 一致</translation>
    </message>
    <message>
        <source>✖ differs: type it again</source>
        <translation>✖ 不一致，请重新录入</translation>
    </message>
</context>
</TS>
